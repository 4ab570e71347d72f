import { describe, expect, it } from 'vitest';
import { compareCanary, type CanaryMetricInput } from './compare-canary.js';

/** mulberry32: a tiny seeded PRNG, so every run draws the same samples. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Log-normal latencies in ms (median `medianMs`, log-sd 0.5) via Box-Muller, like real traffic. */
function latencies(seed: number, n: number, medianMs = 100): number[] {
  const next = random(seed);
  return Array.from({ length: n }, () => {
    const normal = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    return medianMs * Math.exp(0.5 * normal);
  });
}

function latency(baseline: number[], canary: number[], overrides: Partial<CanaryMetricInput> = {}) {
  return {
    name: 'latency',
    kind: 'latency',
    direction: 'increase',
    critical: false,
    effectSizeTolerance: 0.1,
    baseline,
    canary,
    ...overrides,
  } as CanaryMetricInput;
}

function errorRate(baselineErrors: number, canaryErrors: number, total = 2000, critical = false) {
  return {
    name: 'error-rate',
    kind: 'errorRate',
    direction: 'increase',
    critical,
    effectSizeTolerance: 0.01,
    baseline: { events: baselineErrors, total },
    canary: { events: canaryErrors, total },
  } as const satisfies CanaryMetricInput;
}

describe('compareCanary', () => {
  it('fails a canary whose latency is 30% higher', () => {
    const result = compareCanary([latency(latencies(1, 300), latencies(2, 300, 130))]);
    expect(result).toMatchObject({ score: 0, verdict: 'Fail' });
    const [metric] = result.metrics;
    expect(metric?.classification).toBe('High');
    expect(metric?.pValue).toBeLessThan(1e-6);
    expect(metric?.effectSize).toBeGreaterThan(0.2);
    expect(metric?.reason).toMatch(/^canary median \+\d+\.\d% \(p = .*\): beyond tolerance 10\.0%/);
  });

  it('passes a canary drawn from the same distribution', () => {
    for (const [baseSeed, canarySeed] of [
      [1, 2],
      [3, 4],
    ] as const) {
      const result = compareCanary([latency(latencies(baseSeed, 300), latencies(canarySeed, 300))]);
      expect(result).toMatchObject({ score: 100, verdict: 'Pass' });
      expect(result.metrics[0]?.classification).toBe('Pass');
    }
  });

  it('needs significance as well as size: chance alone moved these medians 13%', () => {
    const result = compareCanary([latency(latencies(5, 300), latencies(6, 300))]);
    expect(result.metrics[0]?.effectSize).toBeGreaterThan(0.1);
    expect(result.metrics[0]?.pValue).toBeGreaterThan(0.05);
    expect(result.verdict).toBe('Pass');
    expect(result.metrics[0]?.reason).toMatch(/: not significant at 0\.05$/);
  });

  it('passes a change in the good direction unless the direction is either', () => {
    const faster = latencies(2, 300, 70);
    const increase = compareCanary([latency(latencies(1, 300), faster)]);
    expect(increase.verdict).toBe('Pass');
    expect(increase.metrics[0]?.reason).toMatch(/: a change in the harmless direction$/);
    const either = compareCanary([latency(latencies(1, 300), faster, { direction: 'either' })]);
    expect(either.metrics[0]?.classification).toBe('Low');
    expect(either.verdict).toBe('Fail');
  });

  it('passes a significant change smaller than the tolerance', () => {
    // 5% slower over 5000 samples each is significant but within the 10% tolerance.
    const result = compareCanary([latency(latencies(1, 5000), latencies(2, 5000, 105))]);
    expect(result.metrics[0]?.pValue).toBeLessThan(0.05);
    expect(result.verdict).toBe('Pass');
    expect(result.metrics[0]?.reason).toMatch(/: within tolerance 10\.0%$/);
  });

  it('fails an error rate of 5% against 0.5% over 2000 requests each', () => {
    const result = compareCanary([errorRate(10, 100)]);
    expect(result.verdict).toBe('Fail');
    expect(result.metrics[0]).toMatchObject({
      classification: 'High',
      baseline: { count: 2000, value: 0.005 },
      canary: { count: 2000, value: 0.05 },
    });
    expect(result.metrics[0]?.effectSize).toBeCloseTo(0.045, 12);
  });

  it('passes an error rate that moved within noise', () => {
    expect(compareCanary([errorRate(10, 13)]).verdict).toBe('Pass');
  });

  it('is NoData below the minimum sample size, and leaves NoData metrics out of the score', () => {
    const few = compareCanary([latency(latencies(1, 300), latencies(2, 10, 300))]);
    expect(few).toMatchObject({ score: 0, verdict: 'NoData' });
    expect(few.metrics[0]).toMatchObject({
      classification: 'NoData',
      pValue: null,
      reason: 'canary has 10 samples, fewer than the 20 needed',
    });
    const mixed = compareCanary([
      errorRate(0, 0, 50),
      latency(latencies(1, 300), latencies(2, 300)),
    ]);
    expect(mixed.metrics.map((m) => m.classification)).toEqual(['NoData', 'Pass']);
    expect(mixed).toMatchObject({ score: 100, verdict: 'Pass' });
  });

  it('scores equally weighted metrics against the pass and marginal thresholds', () => {
    const good = latency(latencies(1, 300), latencies(2, 300));
    const bad = errorRate(10, 100);
    expect(compareCanary([good, good, good, bad])).toMatchObject({
      score: 75,
      verdict: 'Marginal',
    });
    expect(compareCanary([good, bad])).toMatchObject({ score: 50, verdict: 'Fail' });
    expect(compareCanary([good, good, good, bad], { marginalThreshold: 80 }).verdict).toBe('Fail');
    expect(
      compareCanary([good, good, good, bad], { passThreshold: 70, marginalThreshold: 50 }).verdict,
    ).toBe('Pass');
  });

  it('scores 0 when a critical metric fails', () => {
    const good = latency(latencies(1, 300), latencies(2, 300));
    const result = compareCanary([good, good, good, good, good, errorRate(10, 100, 2000, true)]);
    expect(result).toMatchObject({ score: 0, verdict: 'Fail' });
  });

  it('rejects a marginal threshold above the pass threshold', () => {
    expect(() => compareCanary([], { passThreshold: 70, marginalThreshold: 80 })).toThrow(
      RangeError,
    );
  });
});
