import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  alternatives,
  mannWhitneyU,
  median,
  proportionDifference,
  relativeMedianChange,
  twoProportionZTest,
} from './statistics.js';

/**
 * Hollander & Wolfe (1973), p. 69: permeability constants of the human chorioamnion, the example
 * in R's `?wilcox.test`. `wilcox.test(x, y, exact = FALSE, correct = TRUE)` prints W = 58,
 * p-value = 0.1329; SciPy 1.17 `mannwhitneyu(x, y, method='asymptotic')` gives 0.13291945818531892
 * (two-sided), 0.06645972909265946 (greater), 0.9442044002897128 (less).
 */
const x = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3];
const y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];

// Whole numbers in a small range, so that generated samples have many ties.
const sample = fc.array(
  fc.integer({ min: 0, max: 12 }).map((n) => n / 2),
  { minLength: 1, maxLength: 40 },
);
const proportion = fc
  .tuple(fc.integer({ min: 1, max: 5000 }), fc.double({ min: 0, max: 1, noNaN: true }))
  .map(([total, share]) => ({ total, events: Math.round(total * share) }));

describe('mannWhitneyU', () => {
  it("reproduces R's wilcox.test on the Hollander & Wolfe example", () => {
    const twoSided = mannWhitneyU(x, y);
    expect(twoSided.u).toBe(58);
    expect(twoSided.p).toBeCloseTo(0.13291945818531892, 12);
    expect(twoSided.z).toBeCloseTo(1.502688234205555, 12);
    expect(mannWhitneyU(x, y, 'greater').p).toBeCloseTo(0.06645972909265946, 12);
    expect(mannWhitneyU(x, y, 'less').p).toBeCloseTo(0.9442044002897128, 12);
    expect(mannWhitneyU(y, x)).toMatchObject({ u: 23 });
    expect(mannWhitneyU(y, x).p).toBeCloseTo(0.13291945818531892, 12);
  });

  it('corrects for ties across both samples (values from SciPy 1.17, asymptotic method)', () => {
    const a = [1, 2, 2, 3, 3, 3, 4];
    const b = [2, 3, 4, 4, 5, 5, 6, 7];
    expect(mannWhitneyU(a, b).u).toBe(8.5);
    expect(mannWhitneyU(a, b).p).toBeCloseTo(0.025279736885893914, 12);
    expect(mannWhitneyU(a, b, 'less').p).toBeCloseTo(0.012639868442946957, 12);
    expect(mannWhitneyU(a, b, 'greater').p).toBeCloseTo(0.9907347385044912, 12);
  });

  it('finds no evidence when every value is tied', () => {
    expect(mannWhitneyU([5, 5], [5, 5, 5])).toEqual({ u: 3, z: 0, p: 1 });
  });

  it('rejects empty samples and non-finite values', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(RangeError);
    expect(() => mannWhitneyU([1, Number.NaN], [1])).toThrow('not a finite number');
  });

  it('has p in [0, 1] for every alternative', () => {
    fc.assert(
      fc.property(sample, sample, fc.constantFrom(...alternatives), (a, b, alternative) => {
        const { p } = mannWhitneyU(a, b, alternative);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('gives the same two-sided p when the samples swap, and U1 + U2 = n1 * n2', () => {
    fc.assert(
      fc.property(sample, sample, (a, b) => {
        const forward = mannWhitneyU(a, b);
        const backward = mannWhitneyU(b, a);
        expect(forward.p).toBeCloseTo(backward.p, 12);
        expect(forward.u + backward.u).toBe(a.length * b.length);
      }),
    );
  });

  it("makes 'greater' of (a, b) the same test as 'less' of (b, a)", () => {
    fc.assert(
      fc.property(sample, sample, (a, b) => {
        expect(mannWhitneyU(a, b, 'greater').p).toBeCloseTo(mannWhitneyU(b, a, 'less').p, 12);
      }),
    );
  });
});

describe('twoProportionZTest', () => {
  it('reproduces the textbook 45/100 vs 30/100 example', () => {
    // R: prop.test(c(45, 30), c(100, 100), correct = FALSE) gives X-squared = 4.8 (= z²),
    // p-value = 0.02846.
    const result = twoProportionZTest({ events: 45, total: 100 }, { events: 30, total: 100 });
    expect(result.z).toBeCloseTo(2.1908902300206647, 12);
    expect(result.z ** 2).toBeCloseTo(4.8, 12);
    expect(result.p).toBeCloseTo(0.02845973691631055, 12);
    expect(result.pooled).toBeCloseTo(0.375, 12);
    expect(result.difference).toBeCloseTo(0.15, 12);
    const greater = twoProportionZTest(
      { events: 45, total: 100 },
      { events: 30, total: 100 },
      'greater',
    );
    expect(greater.p).toBeCloseTo(0.014229868458155276, 12);
  });

  it('finds no evidence when both rates are 0', () => {
    expect(twoProportionZTest({ events: 0, total: 10 }, { events: 0, total: 30 })).toMatchObject({
      z: 0,
      p: 1,
    });
  });

  it('rejects impossible counts', () => {
    expect(() => twoProportionZTest({ events: 5, total: 4 }, { events: 0, total: 1 })).toThrow(
      RangeError,
    );
    expect(() => twoProportionZTest({ events: 0, total: 0 }, { events: 0, total: 1 })).toThrow(
      RangeError,
    );
  });

  it('has p in [0, 1], and swapping the samples flips z and keeps the two-sided p', () => {
    fc.assert(
      fc.property(proportion, proportion, fc.constantFrom(...alternatives), (a, b, alternative) => {
        const { p } = twoProportionZTest(a, b, alternative);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
        const forward = twoProportionZTest(a, b);
        const backward = twoProportionZTest(b, a);
        expect(forward.z).toBeCloseTo(-backward.z, 9);
        expect(forward.p).toBeCloseTo(backward.p, 12);
      }),
    );
  });
});

describe('effect sizes', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('measures latency as the change of the median relative to the baseline', () => {
    expect(relativeMedianChange([100, 100, 100], [130, 130, 130])).toBeCloseTo(0.3, 12);
    expect(relativeMedianChange([100, 200, 300], [90, 180, 270])).toBeCloseTo(-0.1, 12);
    expect(relativeMedianChange([0, 0], [0])).toBe(0);
    expect(relativeMedianChange([0, 0], [5])).toBe(Infinity);
  });

  it('measures an error rate as the absolute difference of proportions', () => {
    expect(
      proportionDifference({ events: 10, total: 2000 }, { events: 100, total: 2000 }),
    ).toBeCloseTo(0.045, 12);
  });
});
