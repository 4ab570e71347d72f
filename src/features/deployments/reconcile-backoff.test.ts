import { describe, expect, it } from 'vitest';
import { ReconcileBackoff } from './reconcile-backoff.js';

const diskFull = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });

describe('ReconcileBackoff', () => {
  it('doubles the wait after each failure up to the cap, and is back to the tick after a success', () => {
    const backoff = new ReconcileBackoff({ tickMs: 250, maxDelayMs: 8_000 });
    const delays = Array.from({ length: 8 }, (_, i) => backoff.failed(diskFull, i).delayMs);
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000, 8000]);
    expect(backoff.succeeded()).toMatchObject({ delayMs: 250, backingOff: false });
    expect(backoff.failed(diskFull, 100).delayMs).toBe(500);
  });

  it('reports the first failure, then once per period with the count, then the recovery', () => {
    const backoff = new ReconcileBackoff({ tickMs: 250, reportEveryMs: 30_000 });
    const reports: string[] = [];
    for (let now = 0; now <= 65_000; now += 500) {
      const report = backoff.failed(diskFull, now).report;
      if (report) reports.push(report.message);
    }
    expect(reports).toEqual([
      'the data disk is full; free space on it and Ferry resumes by itself; next attempt in 0.5s, then at most every 8s',
      'the data disk is full; free space on it and Ferry resumes by itself (61 failed attempts so far); next attempt in 8s, then at most every 8s',
      'the data disk is full; free space on it and Ferry resumes by itself (121 failed attempts so far); next attempt in 8s, then at most every 8s',
    ]);
    expect(backoff.succeeded().report).toEqual({
      level: 'info',
      message: 'reconciling again after 131 failed attempts',
    });
    expect(backoff.succeeded().report).toBeUndefined();
  });

  it('backs off on a PostgreSQL store going away, and names its full disk', () => {
    const backoff = new ReconcileBackoff({ tickMs: 250 });
    const shutdown = Object.assign(
      new Error('terminating connection due to administrator command'),
      {
        code: '57P01',
      },
    );
    expect([0, 1, 2].map((i) => backoff.failed(shutdown, i).delayMs)).toEqual([500, 1000, 2000]);
    const full = Object.assign(new Error('could not extend file'), { code: '53100' });
    expect(new ReconcileBackoff({ tickMs: 250 }).failed(full, 0).report?.message).toMatch(
      /^the data disk is full; /,
    );
  });

  it('names other faults as a failed reconcile', () => {
    const report = new ReconcileBackoff({ tickMs: 250 }).failed(new Error('boom'), 0).report;
    expect(report).toMatchObject({
      level: 'error',
      message: expect.stringMatching(/^reconcile failed; /),
    });
  });
});
