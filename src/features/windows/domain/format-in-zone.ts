/**
 * An instant as ISO-8601 local time in `timeZone` with its offset, the way a person in that zone
 * reads it; UTC is written with `Z`.
 *
 * @example formatInZone(Date.parse('2026-12-07T07:00:00Z'), 'Europe/Berlin') // '2026-12-07T08:00:00+01:00'
 */
export function formatInZone(ms: number, timeZone: string): string {
  if (timeZone === 'UTC') return new Date(ms).toISOString().replace('.000Z', 'Z');
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
  }).formatToParts(new Date(ms));
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((p) => p.type === type)?.value ?? '';
  // `GMT+01:00`, or `GMT` alone when the offset is zero.
  const offset = part('timeZoneName').replace('GMT', '') || '+00:00';
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}:${part('second')}${offset}`;
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}
