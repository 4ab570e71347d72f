import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../../../config/duration.js';

/**
 * Commander value parser for `--since`: a duration ago (`30m`, `2h`, `7d`) or an ISO-8601 time,
 * as epoch ms.
 *
 * @example parseSince('2h', Date.parse('2025-01-02T12:00:00Z')) // Date.parse('2025-01-02T10:00:00Z')
 */
export function parseSince(value: string, now: number = Date.now()): number {
  const days = /^(\d+)d$/.exec(value.trim());
  const ago = days ? Number(days[1]) * 86_400_000 : parseDuration(value);
  if (ago !== undefined) return now - ago;
  const at = /^\d{4}-\d\d-\d\d/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(at)) {
    throw new InvalidArgumentError('expected a duration like 30m, 2h, 7d or an ISO-8601 time.');
  }
  return at;
}
