/**
 * Copies `source[from..to)` into `target` at `at` and returns where the copy ends. A short run
 * (most field lines) is copied in a loop: for a few dozen bytes that is cheaper than the view
 * `Buffer#copy` and `TypedArray#set` make of the source first.
 */
export function copyBytes(
  source: Uint8Array,
  from: number,
  to: number,
  target: Uint8Array,
  at: number,
): number {
  const length = to - from;
  if (length > 128) target.set(source.subarray(from, to), at);
  else for (let i = 0; i < length; i++) target[at + i] = source[from + i] as number;
  return at + length;
}

/** Writes `text` (latin1, one byte per char) into `target` at `at`; returns where it ends. */
export function writeLatin1(text: string, target: Uint8Array, at: number): number {
  const length = text.length;
  for (let i = 0; i < length; i++) target[at + i] = text.charCodeAt(i);
  return at + length;
}
