/**
 * A timeout as people write it: `2s`, `1.5s`, `250ms`.
 *
 * @example formatDuration(2000) // '2s'
 */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  return `${Number((ms / 1_000).toFixed(3))}s`;
}
