import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalCdf, normalSurvival } from './normal-distribution.js';

// Reference values: scipy.stats.norm.sf / norm.cdf (SciPy 1.17), which agree with the tables in
// Abramowitz & Stegun, Handbook of Mathematical Functions, table 26.1.
const upperTail: readonly (readonly [number, number])[] = [
  [0, 0.5],
  [0.5, 0.3085375387259869],
  [1, 0.15865525393145707],
  [1.96, 0.024997895148220435],
  [2.5758293035489, 0.005],
  [3, 0.0013498980316300933],
  [5, 2.866515718791933e-7],
  [8, 6.22096057427174e-16],
  [10, 7.61985302416047e-24],
];

describe('normal distribution', () => {
  it.each(upperTail)('P(Z > %d) = %d to 1e-8 relative', (z, expected) => {
    expect(Math.abs(normalSurvival(z) - expected) / expected).toBeLessThan(1e-8);
    expect(Math.abs(normalCdf(-z) - expected) / expected).toBeLessThan(1e-8);
  });

  it('gives the familiar two-sided 95% quantile', () => {
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021048517795, 12);
    expect(normalCdf(-40)).toBe(0);
    expect(normalCdf(40)).toBe(1);
  });

  it('is symmetric and monotone', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -40, max: 40, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        (z, step) => {
          expect(normalCdf(z) + normalCdf(-z)).toBeCloseTo(1, 12);
          expect(normalCdf(z + step)).toBeGreaterThanOrEqual(normalCdf(z));
        },
      ),
    );
  });
});
