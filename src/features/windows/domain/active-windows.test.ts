import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activeWindows } from './active-windows.js';
import { describeBlocker } from '../../promotion/domain/promotion-blocker.js';
import type { DeploymentWindow } from './deployment-window.js';
import { formatInZone } from './format-in-zone.js';
import { freezeBlockers } from './freeze-blockers.js';

const hour = 3_600_000;
const at = (iso: string) => Date.parse(iso);

function recurring(
  cron: string,
  durationMs: number,
  timeZone = 'UTC',
  fields: Partial<DeploymentWindow> = {},
): DeploymentWindow {
  return {
    name: 'weekend-freeze',
    environments: ['prod'],
    effect: 'block',
    schedule: { kind: 'recurring', cron, durationMs, timeZone },
    ...fields,
  };
}

const names = (windows: readonly DeploymentWindow[], environment: string, now: number) =>
  activeWindows(windows, environment, now).map((a) => a.window.name);

/** What `ferry promote` and a refused deploy say about the windows in force. */
const said = (windows: readonly DeploymentWindow[], now: number) =>
  freezeBlockers(windows, 'prod', now).map((b) => describeBlocker(b, 'v1'));

const ends = (windows: readonly DeploymentWindow[], now: number) =>
  activeWindows(windows, 'prod', now).map((a) => new Date(a.endsAt).toISOString());

describe('activeWindows', () => {
  // Fridays 18:00 in Berlin for 62 hours: into Monday 08:00.
  const weekend = recurring('0 18 * * 5', 62 * hour, 'Europe/Berlin');

  it('holds a weekly window across the week end, from its start to its end (excluded)', () => {
    // 2026-12-04 is a Friday; Berlin is UTC+1 in winter.
    expect(ends([weekend], at('2026-12-04T16:59:59.999Z'))).toEqual([]);
    expect(ends([weekend], at('2026-12-04T17:00:00Z'))).toEqual(['2026-12-07T07:00:00.000Z']);
    expect(ends([weekend], at('2026-12-06T23:30:00Z'))).toEqual(['2026-12-07T07:00:00.000Z']);
    expect(ends([weekend], at('2026-12-07T06:59:59.999Z'))).toEqual(['2026-12-07T07:00:00.000Z']);
    expect(ends([weekend], at('2026-12-07T07:00:00Z'))).toEqual([]);
  });

  it('reads the cron in its time zone across a DST change, and the duration as elapsed time', () => {
    // Clocks go back on Sunday 2026-10-25 in Berlin: the Friday start is 16:00Z (CEST), and 62
    // elapsed hours end Monday 07:00 CET, an hour earlier on the wall clock.
    expect(ends([weekend], at('2026-10-23T16:00:00Z'))).toEqual(['2026-10-26T06:00:00.000Z']);
    expect(ends([weekend], at('2026-10-23T15:59:00Z'))).toEqual([]);
    expect(said([weekend], at('2026-10-24T12:00:00Z'))).toEqual([
      'prod is frozen by weekend-freeze until 2026-10-26T07:00:00+01:00 (Europe/Berlin)',
    ]);
    // Clocks go forward at 02:00 on Sunday 2026-03-29: a nightly 01:00 window of 3 hours starts
    // 00:00Z (CET) that night and 23:00Z (CEST) the next.
    const nightly = recurring('0 1 * * *', 3 * hour, 'Europe/Berlin');
    expect(ends([nightly], at('2026-03-29T00:00:00Z'))).toEqual(['2026-03-29T03:00:00.000Z']);
    expect(ends([nightly], at('2026-03-29T23:00:00Z'))).toEqual(['2026-03-30T02:00:00.000Z']);
    expect(ends([nightly], at('2026-03-30T02:00:00Z'))).toEqual([]);
  });

  it('spans midnight: a 22:00 window of 4 hours holds at 01:00 the next day', () => {
    const nightly = recurring('0 22 * * *', 4 * hour, 'America/New_York');
    // 22:00 EST is 03:00Z.
    expect(ends([nightly], at('2026-12-02T06:00:00Z'))).toEqual(['2026-12-02T07:00:00.000Z']);
    expect(ends([nightly], at('2026-12-02T07:00:00Z'))).toEqual([]);
    expect(ends([nightly], at('2026-12-02T02:59:59Z'))).toEqual([]);
    expect(ends([nightly], at('2026-12-02T03:00:00Z'))).toEqual(['2026-12-02T07:00:00.000Z']);
  });

  it('holds a fixed interval from its start, included, to its end, excluded', () => {
    const release: DeploymentWindow = {
      name: 'release-freeze',
      environments: 'all',
      effect: 'block',
      schedule: {
        kind: 'between',
        fromMs: at('2026-12-20T00:00:00Z'),
        toMs: at('2027-01-04T00:00:00Z'),
      },
    };
    expect(names([release], 'staging', at('2026-12-19T23:59:59.999Z'))).toEqual([]);
    expect(names([release], 'staging', at('2026-12-20T00:00:00Z'))).toEqual(['release-freeze']);
    expect(names([release], 'dev', at('2027-01-03T23:59:59.999Z'))).toEqual(['release-freeze']);
    expect(names([release], 'dev', at('2027-01-04T00:00:00Z'))).toEqual([]);
    expect(said([release], at('2026-12-24T00:00:00Z'))).toEqual([
      'prod is frozen by release-freeze until 2027-01-04T00:00:00Z (UTC)',
    ]);
  });

  it('holds only for the environments it lists', () => {
    expect(names([weekend], 'staging', at('2026-12-05T12:00:00Z'))).toEqual([]);
    expect(names([weekend], 'prod', at('2026-12-05T12:00:00Z'))).toEqual(['weekend-freeze']);
  });

  it('says an approval window blocks until approvals exist, unless --emergency', () => {
    const window = recurring('0 18 * * 5', 62 * hour, 'UTC', {
      name: 'change-board',
      effect: 'approval',
    });
    expect(said([window], at('2026-12-05T12:00:00Z'))).toEqual([
      'prod requires approval in change-board until 2026-12-07T08:00:00Z (UTC); approvals are not available yet, so it blocks unless --emergency',
    ]);
  });
});

describe('activeWindows, any occurrence', () => {
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata'];
  const start = at('2026-01-01T00:00:00Z');
  const year = 366 * 24 * hour;

  it('holds inside an occurrence and not from its end on, in any zone', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 23 }),
        fc.constantFrom(...zones),
        fc.integer({ min: 1, max: 22 * 60 }),
        fc.integer({ min: 0, max: year }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (minute, hourOfDay, zone, durationMinutes, offset, within) => {
          const durationMs = durationMinutes * 60_000;
          const window = recurring(`${minute} ${hourOfDay} * * *`, durationMs, zone, {
            environments: 'all',
          });
          // An occurrence: the one in force at some instant of the year, if any.
          const probe = start + offset;
          const [found] = activeWindows([window], 'prod', probe);
          if (!found) return;
          expect(found.endsAt - found.startedAt).toBe(durationMs);
          const inside = found.startedAt + Math.floor(within * durationMs);
          expect(activeWindows([window], 'prod', inside)[0]?.startedAt).toBe(found.startedAt);
          // Daily, at most 22 hours long: the next occurrence starts later than this one ends.
          expect(activeWindows([window], 'prod', found.endsAt)).toEqual([]);
          expect(formatInZone(found.endsAt, zone)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00/);
        },
      ),
      { numRuns: 150 },
    );
  });
});
