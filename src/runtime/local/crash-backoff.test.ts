import { describe, expect, it } from 'vitest';
import { CrashBackoff, defaultBackoff } from './crash-backoff.js';

const options = { ...defaultBackoff, initialMs: 100, maxMs: 1000, crashLoopRestarts: 3 };

describe('CrashBackoff', () => {
  it('doubles the delay per crash up to the maximum', () => {
    const backoff = new CrashBackoff(options);
    const delays = Array.from({ length: 6 }, (_, i) => backoff.onCrash(i * 10).restartInMs);
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('reports a crash loop once, when the restarts without readiness reach the threshold', () => {
    const backoff = new CrashBackoff(options);
    const decisions = Array.from({ length: 5 }, () => backoff.onCrash(0));
    expect(decisions.map((d) => d.crashLoop)).toEqual([false, false, true, false, false]);
    expect(decisions.map((d) => d.restartsWithoutReady)).toEqual([1, 2, 3, 4, 5]);
  });

  it('starts the crash-loop streak over when the instance becomes ready, but not the delay', () => {
    const backoff = new CrashBackoff(options);
    backoff.onCrash(0);
    backoff.onCrash(0);
    backoff.onReady(1000);
    const next = backoff.onCrash(2000);
    expect(next).toMatchObject({ restartsWithoutReady: 1, crashLoop: false, restartInMs: 400 });
  });

  it('starts the delay over once the instance stayed ready for resetAfterReadyMs', () => {
    const backoff = new CrashBackoff(options);
    backoff.onCrash(0);
    backoff.onCrash(0);
    backoff.onReady(1000);
    expect(backoff.onCrash(1000 + options.resetAfterReadyMs).restartInMs).toBe(100);
  });

  it('does not start the delay over when readiness was lost before resetAfterReadyMs', () => {
    const backoff = new CrashBackoff(options);
    backoff.onCrash(0);
    backoff.onReady(1000);
    backoff.onNotReady(2000);
    backoff.onReady(3000);
    expect(backoff.onCrash(12_000).restartInMs).toBe(200);
  });
});
