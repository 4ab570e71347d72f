/**
 * The lines of `current` that `previous` (the same log's tail, read earlier) did not have. When
 * `current` holds all of `previous` (a window at least as large), what follows its first
 * occurrence; else what follows the longest end of `previous` that `current` starts with; with no
 * overlap at all (the log moved on by more than a window), all of `current`.
 *
 * @example newLines(['b', 'c'], ['a', 'b', 'c', 'd']) // ['d']
 */
export function newLines(
  previous: readonly string[] | undefined,
  current: readonly string[],
): readonly string[] {
  if (!previous || previous.length === 0) return current;
  const matches = (from: number, to: number, length: number) =>
    current
      .slice(from, from + length)
      .every((line, i) => line === previous[previous.length - to + i]);
  for (let end = previous.length; end <= current.length; end++) {
    if (matches(end - previous.length, previous.length, previous.length)) {
      return current.slice(end);
    }
  }
  for (let k = Math.min(previous.length, current.length) - 1; k > 0; k--) {
    if (matches(0, k, k)) return current.slice(k);
  }
  return current;
}
