/**
 * `source` again as pieces of exactly `size` bytes (the last one shorter): small pieces are
 * joined (one copy), large ones sliced (no copy). Gunzip, the hash and the disk each cost a fixed
 * price per piece, so an upload read in 64 KiB socket reads goes through them in far fewer steps.
 */
export async function* inChunksOf(
  size: number,
  source: Iterable<Buffer> | AsyncIterable<Buffer>,
): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let length = 0;
  for await (const chunk of source) {
    let at = 0;
    if (length > 0) {
      at = Math.min(size - length, chunk.length);
      pending.push(chunk.subarray(0, at));
      length += at;
      if (length < size) continue;
      yield Buffer.concat(pending, length);
      pending = [];
      length = 0;
    }
    for (; chunk.length - at >= size; at += size) yield chunk.subarray(at, at + size);
    if (at < chunk.length) {
      pending.push(chunk.subarray(at));
      length += chunk.length - at;
    }
  }
  if (length > 0) yield pending.length === 1 ? pending[0]! : Buffer.concat(pending, length);
}
