import { describe, expect, it } from 'vitest';
import { problemsOf } from './config-problems.js';
import { parseConfig } from './load-config.js';

const config = (windows: string) => `apiVersion: ferry.dev/v1
environments:
  - name: staging
  - name: prod
services:
  web:
    runtime: { local: { command: node server.js } }
    routes: { staging: 127.0.0.1:18002, prod: 127.0.0.1:18003 }
windows:
${windows}`;

describe('windows', () => {
  it('resolves a recurring window and a fixed interval', () => {
    const parsed = parseConfig(
      config(`  - name: weekend-freeze
    environments: [prod]
    effect: block
    recurring: { cron: "0 18 * * 5", duration: 62h, timeZone: Europe/Berlin }
  - name: release-freeze
    effect: approval
    between: { from: 2026-12-20T00:00:00Z, to: "2027-01-04T01:00:00+01:00" }
`),
      'ferry.yaml',
    );
    expect(parsed.windows).toEqual([
      {
        name: 'weekend-freeze',
        environments: ['prod'],
        effect: 'block',
        schedule: {
          kind: 'recurring',
          cron: '0 18 * * 5',
          durationMs: 62 * 3_600_000,
          timeZone: 'Europe/Berlin',
        },
      },
      {
        name: 'release-freeze',
        environments: 'all',
        effect: 'approval',
        schedule: {
          kind: 'between',
          fromMs: Date.parse('2026-12-20T00:00:00Z'),
          toMs: Date.parse('2027-01-04T00:00:00Z'),
        },
      },
    ]);
  });

  it('names a bad cron, an unknown time zone and an unknown environment at file:line:col', () => {
    expect(
      problemsOf(
        config(`  - name: weekend-freeze
    environments: [prod, qa]
    effect: block
    recurring: { cron: "0 25 * * 5", duration: 62h, timeZone: Europe/Berlinn }
`),
      ),
    ).toEqual([
      'ferry.yaml:11:26 windows[0].environments[1]: unknown environment "qa"; declared environments are staging, prod',
      expect.stringMatching(
        /^ferry\.yaml:13:24 windows\[0\]\.recurring\.cron: not a cron expression \(.*\); write minute hour day-of-month month day-of-week, such as "0 18 \* \* 5"$/,
      ),
      'ferry.yaml:13:63 windows[0].recurring.timeZone: unknown time zone "Europe/Berlinn"; use an IANA name such as Europe/Berlin or UTC',
    ]);
  });

  it('refuses from after to, a time without its zone, a bad effect, and neither schedule', () => {
    expect(
      problemsOf(
        config(`  - name: release-freeze
    effect: block
    between: { from: 2027-01-04T00:00:00Z, to: 2026-12-20T00:00:00Z }
  - name: local-time
    effect: freeze
    between: { from: 2026-12-20T00:00, to: 2026-12-21T00:00:00Z }
  - name: nothing
    effect: block
`),
      ),
    ).toEqual([
      'ferry.yaml:12:48 windows[0].between.to: to (2026-12-20T00:00:00Z) must be after from (2027-01-04T00:00:00Z)',
      expect.stringContaining(
        'ferry.yaml:14:13 windows[1].effect: expected one of block, approval',
      ),
      expect.stringContaining(
        'ferry.yaml:15:22 windows[1].between.from: expected an ISO-8601 time with its zone, such as 2026-12-20T00:00:00Z',
      ),
      'ferry.yaml:16:5 windows[2]: a window needs recurring: { cron, duration, timeZone } or between: { from, to }',
    ]);
  });
});
