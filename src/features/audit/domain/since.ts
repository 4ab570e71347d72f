const units = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const duration = /^(\d{1,6})(s|m|h|d|w)$/;

export const sinceHint = 'a duration back such as 30m, 1h or 7d, or an ISO-8601 time';

/**
 * `--since`: a duration back from `now` (`1h`) or an ISO-8601 time, as an ISO-8601 UTC time;
 * undefined when the text is neither.
 *
 * @example parseSince('1h', Date.parse('2030-01-01T12:00:00Z')) // '2030-01-01T11:00:00.000Z'
 */
export function parseSince(text: string, now: number): string | undefined {
  const match = duration.exec(text.trim());
  if (match) {
    const [, amount, unit] = match;
    return new Date(now - Number(amount) * units[unit as keyof typeof units]).toISOString();
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : new Date(at).toISOString();
}
