const units = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const pattern = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

/**
 * Parses `500ms`, `10s`, `1.5m`, `2h` into milliseconds; undefined when the text is not a duration.
 *
 * @example parseDuration('10s') // 10000
 */
export function parseDuration(text: string): number | undefined {
  const match = pattern.exec(text.trim());
  if (!match) return undefined;
  const [, amount, unit] = match;
  return Math.round(Number(amount) * units[unit as keyof typeof units]);
}

/** Formatting lives in shared code, which domain code may import; kept here for older imports. */
export { formatDuration } from '../shared/format-duration.js';
