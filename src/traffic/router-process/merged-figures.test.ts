import { describe, expect, it } from 'vitest';
import { figuresOf, mergeDetails } from './merged-figures.js';
import type { WorkerDetail } from './worker-messages.js';

const version = (name: string, requests: number, latenciesMs: number[]) => ({
  version: name,
  requests,
  errors5xx: 1,
  headerMatches: 2,
  cookieMatches: 0,
  latenciesMs,
});

const worker = (
  latest: string,
  at: number,
  versions: ReturnType<typeof version>[],
): WorkerDetail => ({
  detail: { tracks: { stable: { latest, versions } }, mirror: { sent: 1, skipped: 2, failed: 3 } },
  last: { stable: { version: latest, at } },
});

describe('figures merged over workers', () => {
  it('sums counts of the version that answered last in any worker, with percentiles of all its latencies', () => {
    // Worker one saw v2 last; worker two answered with v1 last, but earlier.
    const one = worker('v2', 2_000, [version('v1', 5, [100]), version('v2', 3, [1, 2, 3])]);
    const two = worker('v1', 1_000, [
      version('v1', 4, [100]),
      version('v2', 7, [4, 5, 6, 7, 8, 9, 10]),
    ]);
    const figures = figuresOf(mergeDetails([one, two]));
    expect(figures.tracks.stable).toEqual({
      version: 'v2',
      requests: 10,
      errors5xx: 2,
      headerMatches: 4,
      cookieMatches: 0,
      p50Ms: 5,
      p95Ms: 10,
      p99Ms: 10,
    });
    expect(figures.mirror).toEqual({ sent: 2, skipped: 4, failed: 6 });
  });

  it('keeps at most the given number of latencies per version when folding retired workers', () => {
    const one = worker('v1', 1, [version('v1', 3, [1, 2, 3])]);
    const two = worker('v1', 2, [version('v1', 3, [4, 5, 6])]);
    const merged = mergeDetails([one, two], 4);
    expect(merged.detail.tracks.stable?.versions[0]?.latenciesMs).toEqual([3, 4, 5, 6]);
    expect(merged.detail.tracks.stable?.versions[0]?.requests).toBe(6);
  });
});
