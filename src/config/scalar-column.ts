import type { Scalar } from 'yaml';

/** Source characters per escape in a double-quoted scalar, by the letter after the backslash. */
const escapeLengths: Readonly<Record<string, number>> = { x: 4, u: 6, U: 10 };

/**
 * The source offset of character `column` (1-based) of a string scalar's value, so a problem
 * inside the string (a condition's syntax error) points at the character at fault. Plain and
 * quoted scalars on one line map exactly; block and folded scalars give the scalar's start.
 *
 * @example // text `k: "a = 1"`, the scalar `"a = 1"` at offset 3, column 3 (`=`) → offset 6
 */
export function offsetInScalar(text: string, node: Scalar, column: number): number {
  const [start, end] = node.range ?? [0, 0];
  const source = text.slice(start, end);
  if (typeof node.value !== 'string' || source.includes('\n')) return start;
  if (node.type === 'PLAIN') return source === node.value ? start + column - 1 : start;
  if (node.type !== 'QUOTE_SINGLE' && node.type !== 'QUOTE_DOUBLE') return start;
  // Walk the source inside the quotes, one value character at a time.
  let at = 1;
  for (let index = 1; index < column && at < source.length - 1; index++) {
    if (node.type === 'QUOTE_SINGLE') at += source.startsWith("''", at) ? 2 : 1;
    else if (source[at] === '\\') at += escapeLengths[source[at + 1] ?? ''] ?? 2;
    else at += 1;
  }
  return start + at;
}
