import { describe, expect, it } from 'vitest';
import type { RoutingTable, Upstream } from '../../features/routing/traffic-router.js';
import { computeWeights, trackShares } from './track-weights.js';

const up = (id: string, version = '1'): Upstream => ({
  id,
  host: '127.0.0.1',
  port: 9000,
  version,
});
const table = (over: Partial<RoutingTable>): RoutingTable => ({
  service: 'web',
  environment: 'prod',
  listen: { host: '127.0.0.1', port: 8080 },
  backends: {},
  ...over,
});

/** Each track's share of the total weight, in percent, as `balance roundrobin` serves it. */
function servedShares(t: RoutingTable): Record<string, number> {
  const weights = computeWeights(t);
  const total = weights.reduce((sum, w) => sum + w.weight, 0);
  const shares: Record<string, number> = {};
  for (const w of weights) shares[w.track] = (shares[w.track] ?? 0) + (100 * w.weight) / total;
  return shares;
}

describe('computeWeights', () => {
  it('gives 2 stable servers and 1 canary at 20% 256, 256 and 128', () => {
    const weights = computeWeights(
      table({ backends: { stable: [up('a'), up('b')], canary: [up('c', '2')] }, canaryWeight: 20 }),
    );
    expect(weights.map((w) => [w.upstream.id, w.track, w.weight])).toEqual([
      ['a', 'stable', 256],
      ['b', 'stable', 256],
      ['c', 'canary', 128],
    ]);
  });

  it('serves every track its share within 0.2 point, over many shapes and weights', () => {
    for (const stable of [1, 2, 3, 5, 8]) {
      for (const canary of [1, 2, 3]) {
        for (const canaryWeight of [0.5, 5, 12.5, 20, 33.3, 50, 80, 99]) {
          const t = table({
            backends: {
              stable: Array.from({ length: stable }, (_, i) => up(`s${i}`)),
              canary: Array.from({ length: canary }, (_, i) => up(`c${i}`, '2')),
              baseline: [up('b')],
            },
            canaryWeight,
            baselineWeight: 5,
          });
          const shares = servedShares(t);
          const expected = trackShares(t);
          // Finer than 1/256 of the largest server's share is beyond HAProxy's weights.
          const perServer = [expected.stable / stable, expected.canary / canary, expected.baseline];
          const fine = Math.max(...perServer) / Math.min(...perServer) <= 256;
          for (const track of ['stable', 'canary', 'baseline'] as const) {
            const gap = Math.abs((shares[track] ?? 0) - expected[track]);
            expect(gap).toBeLessThanOrEqual(fine ? 0.2 : 1);
          }
        }
      }
    }
  });

  it('caps the baseline at what the canary leaves, and passes an empty track’s share on', () => {
    expect(
      trackShares(
        table({
          backends: { stable: [up('a')], canary: [up('c')], baseline: [up('b')] },
          canaryWeight: 90,
          baselineWeight: 20,
        }),
      ),
    ).toEqual({ stable: 0, canary: 90, baseline: 10 });
    expect(trackShares(table({ backends: { stable: [up('a')] }, canaryWeight: 30 }))).toEqual({
      stable: 100,
      canary: 0,
      baseline: 0,
    });
    expect(trackShares(table({ backends: { canary: [up('c')] }, canaryWeight: 30 }))).toEqual({
      stable: 0,
      canary: 100,
      baseline: 0,
    });
  });

  it('keeps a tiny share above 0 and gives a share of 0 weight 0', () => {
    const stable = Array.from({ length: 10 }, (_, i) => up(`s${i}`));
    const tiny = computeWeights(
      table({ backends: { stable, canary: [up('c')] }, canaryWeight: 0.1 }),
    );
    expect(tiny.find((w) => w.track === 'canary')?.weight).toBeGreaterThan(0);
    const none = computeWeights(
      table({ backends: { stable, canary: [up('c')] }, canaryWeight: 0 }),
    );
    expect(none.find((w) => w.track === 'canary')?.weight).toBe(0);
    expect(none.filter((w) => w.track === 'stable').every((w) => w.weight === 256)).toBe(true);
  });

  it('serves an upstream listed on two tracks once, on the first', () => {
    const a = up('a');
    expect(
      computeWeights(table({ backends: { stable: [a], canary: [a] }, canaryWeight: 50 })),
    ).toEqual([{ upstream: a, track: 'stable', weight: 256 }]);
  });
});
