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

/** Formats milliseconds the way a person writes them: 1500 → `1.5s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(2)}s`;
  if (ms < 3_600_000) return `${+(ms / 60_000).toFixed(2)}m`;
  return `${+(ms / 3_600_000).toFixed(2)}h`;
}
