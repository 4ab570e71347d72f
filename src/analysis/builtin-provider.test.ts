import { describe, expect, it } from 'vitest';
import type { BuiltinMetric, MeasuredTrack } from '../features/analysis/metric-provider.js';
import { BuiltinProvider, type TrackFigures } from './builtin-provider.js';
import { testContext } from './test-context.js';

/** The router's counters, moved by hand; each test is the provider's only caller. */
class FakeRouter {
  readonly tracks: Partial<Record<MeasuredTrack, TrackFigures>> = {};

  serve(track: MeasuredTrack, version: string, requests: number, errors5xx: number, p99Ms = 0) {
    const before = this.tracks[track];
    const same = before?.version === version;
    this.tracks[track] = {
      version,
      requests: (same ? before.requests : 0) + requests,
      errors5xx: (same ? before.errors5xx : 0) + errors5xx,
      p50Ms: p99Ms / 4,
      p95Ms: p99Ms / 2,
      p99Ms,
    };
  }

  restart(): void {
    for (const track of Object.keys(this.tracks) as MeasuredTrack[]) delete this.tracks[track];
  }
}

function setup() {
  const router = new FakeRouter();
  const provider = new BuiltinProvider(() => ({ tracks: router.tracks }));
  const at = 1_700_000_000_000;
  const measure = (
    metric: BuiltinMetric,
    now: number,
    extra: { track?: MeasuredTrack; minSampleSize?: number } = {},
  ) => {
    const { minSampleSize, ...spec } = extra;
    return provider.measure(
      { kind: 'builtin', metric, ...spec },
      testContext({
        now,
        versions: { baseline: 'v1', stable: 'v1' },
        ...(minSampleSize === undefined ? {} : { minSampleSize }),
      }),
    );
  };
  return { router, measure, at };
}

describe('BuiltinProvider', () => {
  it('reports the error rate of the requests since the previous measurement', async () => {
    const { router, measure, at } = setup();
    router.serve('canary', 'v2', 100, 2);
    expect(await measure('error_rate', at)).toEqual({ value: 0.02, sampleSize: 100 });
    router.serve('canary', 'v2', 200, 2);
    expect(await measure('error_rate', at + 5_000)).toEqual({ value: 0.01, sampleSize: 200 });
    router.serve('canary', 'v2', 50, 10);
    expect(await measure('error_rate', at + 10_000)).toEqual({ value: 0.2, sampleSize: 50 });
  });

  it('counts on from the same reading after too few requests, so a measurement taken again sees them', async () => {
    const { router, measure, at } = setup();
    const needs5 = { minSampleSize: 5 };
    router.serve('canary', 'v2', 4, 1);
    expect(await measure('error_rate', at, needs5)).toEqual({ value: 0.25, sampleSize: 4 });
    router.serve('canary', 'v2', 4, 0);
    expect(await measure('error_rate', at + 1_000, needs5)).toEqual({
      value: 0.125,
      sampleSize: 8,
    });
    router.serve('canary', 'v2', 3, 0);
    expect(await measure('error_rate', at + 2_000, needs5)).toEqual({ value: 0, sampleSize: 3 });
    router.serve('canary', 'v2', 2, 2);
    expect(await measure('error_rate', at + 3_000, needs5)).toEqual({ value: 0.4, sampleSize: 5 });

    // A rate needs its starting point whatever the count; then it too waits for enough requests.
    expect(await measure('request_rate', at, needs5)).toEqual({ value: null, sampleSize: 0 });
    router.serve('canary', 'v2', 3, 0);
    expect(await measure('request_rate', at + 1_000, needs5)).toEqual({ value: 3, sampleSize: 3 });
    router.serve('canary', 'v2', 3, 0);
    expect(await measure('request_rate', at + 2_000, needs5)).toEqual({ value: 3, sampleSize: 6 });
  });

  it('has no error rate when nothing was served since the previous measurement', async () => {
    const { router, measure, at } = setup();
    router.serve('canary', 'v2', 10, 0);
    await measure('error_rate', at);
    expect(await measure('error_rate', at + 5_000)).toEqual({ value: null, sampleSize: 0 });
  });

  it('reports requests per second over the interval between measurements', async () => {
    const { router, measure, at } = setup();
    router.serve('canary', 'v2', 1_000, 0);
    expect(await measure('request_rate', at)).toEqual({ value: null, sampleSize: 0 });
    router.serve('canary', 'v2', 50, 0);
    expect(await measure('request_rate', at + 10_000)).toEqual({ value: 5, sampleSize: 50 });
    expect(await measure('request_rate', at + 15_000)).toEqual({ value: 0, sampleSize: 0 });
    // No time has passed: no interval, and the earlier reading stays.
    router.serve('canary', 'v2', 30, 0);
    expect(await measure('request_rate', at + 15_000)).toEqual({ value: null, sampleSize: 0 });
    expect(await measure('request_rate', at + 25_000)).toEqual({ value: 3, sampleSize: 30 });
  });

  it('reports the router percentile with the new requests as sample size', async () => {
    const { router, measure, at } = setup();
    router.serve('canary', 'v2', 40, 0, 180);
    expect(await measure('latency_p99', at)).toEqual({ value: 180, sampleSize: 40 });
    expect(await measure('latency_p95', at)).toEqual({ value: 90, sampleSize: 40 });
    expect(await measure('latency_p50', at)).toEqual({ value: 45, sampleSize: 40 });
    expect(await measure('latency_p99', at + 5_000)).toEqual({ value: null, sampleSize: 0 });
  });

  it('keeps one reading per metric, so metrics measured together do not steal requests', async () => {
    const { router, measure, at } = setup();
    router.serve('canary', 'v2', 100, 1, 200);
    await measure('error_rate', at);
    await measure('latency_p99', at);
    router.serve('canary', 'v2', 100, 3, 250);
    expect(await measure('error_rate', at + 5_000)).toEqual({ value: 0.03, sampleSize: 100 });
    expect(await measure('latency_p99', at + 5_000)).toEqual({ value: 250, sampleSize: 100 });
  });

  it('has no data when the track serves another version or nothing at all', async () => {
    const { router, measure, at } = setup();
    expect(await measure('error_rate', at)).toEqual({ value: null, sampleSize: 0 });
    router.serve('canary', 'v1', 100, 50);
    expect(await measure('error_rate', at)).toEqual({ value: null, sampleSize: 0 });
    expect(await measure('latency_p99', at)).toEqual({ value: null, sampleSize: 0 });
  });

  it('counts a new version on a track from its own first request', async () => {
    const { router, measure, at } = setup();
    router.serve('canary', 'v2', 100, 0);
    await measure('error_rate', at);
    router.serve('canary', 'v3', 10, 1);
    router.serve('canary', 'v2', 20, 20);
    expect(await measure('error_rate', at + 5_000)).toEqual({ value: 1, sampleSize: 20 });
  });

  it('measures the track the spec names instead of the context one', async () => {
    const { router, measure, at } = setup();
    router.serve('canary', 'v2', 100, 50);
    router.serve('baseline', 'v1', 100, 1);
    expect(await measure('error_rate', at, { track: 'baseline' })).toEqual({
      value: 0.01,
      sampleSize: 100,
    });
    expect(await measure('error_rate', at)).toEqual({ value: 0.5, sampleSize: 100 });
  });

  it('gives no data for a track whose expected version the context does not name', async () => {
    const router = new FakeRouter();
    const provider = new BuiltinProvider(() => ({ tracks: router.tracks }));
    router.serve('stable', 'v1', 100, 0);
    const spec = { kind: 'builtin', metric: 'error_rate', track: 'stable' } as const;
    expect(await provider.measure(spec, testContext())).toEqual({ value: null, sampleSize: 0 });
  });

  it('counts from zero when the router restarted and its counters went down', async () => {
    const { router, measure, at } = setup();
    router.serve('canary', 'v2', 500, 0);
    await measure('error_rate', at);
    router.restart();
    router.serve('canary', 'v2', 40, 4);
    expect(await measure('error_rate', at + 5_000)).toEqual({ value: 0.1, sampleSize: 40 });
  });

  it('rejects with the caller reason when the measurement is no longer wanted', async () => {
    const provider = new BuiltinProvider(() => ({ tracks: {} }));
    const controller = new AbortController();
    controller.abort(new Error('rollout aborted'));
    await expect(
      provider.measure(
        { kind: 'builtin', metric: 'error_rate' },
        testContext({ signal: controller.signal }),
      ),
    ).rejects.toThrow('rollout aborted');
  });
});
