import { gzipSync } from 'node:zlib';
import { Header, type HeaderData } from 'tar';

/** Hostile and well-formed `.tar.gz` bytes built by hand, for tests. Not used in production. */

export interface TarEntry extends HeaderData {
  readonly body?: string | Buffer;
}

/** A plain tar stream of the entries, ending with the two zero blocks of the end marker. */
export function tarOf(entries: readonly TarEntry[], { end = true } = {}): Buffer {
  const blocks: Buffer[] = [];
  for (const { body, ...data } of entries) {
    const bytes = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
    const header = new Header({
      mode: data.type === 'Directory' ? 0o755 : 0o644,
      mtime: new Date(0),
      type: 'File',
      ...data,
      size: bytes.length,
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block, bytes, Buffer.alloc((512 - (bytes.length % 512)) % 512));
  }
  if (end) blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export function tarGzOf(entries: readonly TarEntry[]): Buffer {
  return gzipSync(tarOf(entries));
}

/** A small valid app: what every hostile case is a variation of. */
export const serverJs: TarEntry = { path: 'server.js', body: 'console.log("hi")\n' };

/**
 * A gzip bomb: one file of `mebibytes` MiB of zeros, as concatenated gzip members (which gunzip
 * reads as one stream), so building it costs little: 2048 MiB come to about 2 MB.
 */
export function zeroBomb(mebibytes: number): Buffer {
  const mebibyte = 1024 * 1024;
  const header = Buffer.alloc(512);
  new Header({
    path: 'zeros.bin',
    type: 'File',
    size: mebibytes * mebibyte,
    mode: 0o644,
    mtime: new Date(0),
  }).encode(header, 0);
  const zeros = gzipSync(Buffer.alloc(mebibyte), { level: 9 });
  return Buffer.concat([
    gzipSync(header),
    ...Array.from({ length: mebibytes }, () => zeros),
    gzipSync(Buffer.alloc(1024)),
  ]);
}
