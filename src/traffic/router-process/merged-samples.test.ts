import { describe, expect, it } from 'vitest';
import type { TrackSample } from '../../features/routing/traffic-samples.js';
import { mergeSamples } from './merged-samples.js';
import type { WorkerWindowRead } from './worker-messages.js';

const read = (sample: TrackSample, at: number): WorkerWindowRead => ({
  samples: { canary: sample },
  last: { canary: { version: sample.version, at } },
});

describe('mergeSamples', () => {
  it('sums counts and names the version that answered last in any worker', () => {
    const merged = mergeSamples(
      [
        read({ version: '2.0.0', requests: 3, errors5xx: 1, latenciesMs: [1, 2, 3] }, 200),
        read({ version: '1.0.0', requests: 2, errors5xx: 0, latenciesMs: [4, 5] }, 100),
      ],
      10,
    );
    expect(merged.canary).toEqual({
      version: '2.0.0',
      requests: 5,
      errors5xx: 1,
      latenciesMs: [1, 2, 3, 4, 5],
    });
  });

  it('over the cap, keeps latencies of each worker in proportion to the requests it counted', () => {
    // Worker one counted 9,000 responses (reservoir of 100), worker two 1,000 (reservoir of 100).
    const one = Array.from({ length: 100 }, () => 1);
    const two = Array.from({ length: 100 }, () => 2);
    const merged = mergeSamples(
      [
        read({ version: 'v', requests: 9_000, errors5xx: 0, latenciesMs: one }, 1),
        read({ version: 'v', requests: 1_000, errors5xx: 0, latenciesMs: two }, 2),
      ],
      100,
    );
    const latencies = merged.canary!.latenciesMs;
    expect(latencies).toHaveLength(100);
    expect(latencies.filter((ms) => ms === 1)).toHaveLength(90);
    expect(latencies.filter((ms) => ms === 2)).toHaveLength(10);
    expect(merged.canary!.requests).toBe(10_000);
  });

  it('leaves out tracks no worker served', () => {
    expect(mergeSamples([{ samples: {}, last: {} }], 10)).toEqual({});
  });
});
