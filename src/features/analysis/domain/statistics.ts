import { normalCdf, normalSurvival } from './normal-distribution.js';

/**
 * Which difference a test looks for: `greater` means the first sample tends to be larger than
 * the second (R's and SciPy's meaning), `less` the opposite, `two-sided` either.
 */
export const alternatives = ['two-sided', 'greater', 'less'] as const;
export type Alternative = (typeof alternatives)[number];

/** A test statistic standardised to a normal deviate, and its p-value. */
export interface ZTestResult {
  readonly z: number;
  /** In [0, 1]. */
  readonly p: number;
}

export interface MannWhitneyResult extends ZTestResult {
  /** U of the first sample: how many (x, y) pairs have x > y, ties counting half (R's W). */
  readonly u: number;
}

export interface TwoProportionResult extends ZTestResult {
  /** First proportion minus second. */
  readonly difference: number;
  /** Both samples' events over both samples' totals: the proportion under the null hypothesis. */
  readonly pooled: number;
}

/** Events (errors, conversions) out of a total (requests, visitors). */
export interface Proportion {
  readonly events: number;
  readonly total: number;
}

function pValue(z: number, alternative: Alternative): number {
  if (alternative === 'greater') return normalSurvival(z);
  if (alternative === 'less') return normalCdf(z);
  return Math.min(1, 2 * normalSurvival(Math.abs(z)));
}

function requireSample(values: readonly number[], name: string): void {
  if (values.length === 0) throw new RangeError(`${name} is empty`);
  if (values.some((value) => !Number.isFinite(value))) {
    throw new RangeError(`${name} holds a value that is not a finite number`);
  }
}

/**
 * Mann-Whitney U test (Wilcoxon rank-sum test) of whether `x` tends to be larger or smaller than
 * `y`, by the normal approximation with tie correction and continuity correction: the same
 * numbers as R's `wilcox.test(x, y, exact = FALSE, correct = TRUE)` and SciPy's
 * `mannwhitneyu(x, y, method='asymptotic', use_continuity=True)`. When every value is tied there
 * is no evidence of a difference: z = 0, p = 1.
 *
 * @throws RangeError when a sample is empty or holds NaN or an infinity.
 * @example mannWhitneyU([1.83, 0.5, 1.62], [0.878, 0.647, 0.598]) // { u: 8, z: ..., p: ... }
 */
export function mannWhitneyU(
  x: readonly number[],
  y: readonly number[],
  alternative: Alternative = 'two-sided',
): MannWhitneyResult {
  requireSample(x, 'the first sample');
  requireSample(y, 'the second sample');
  const n1 = x.length;
  const n2 = y.length;
  const n = n1 + n2;
  const pooled = [
    ...x.map((value) => ({ value, first: true })),
    ...y.map((value) => ({ value, first: false })),
  ];
  pooled.sort((a, b) => a.value - b.value);
  let rankSumX = 0;
  let tieTerm = 0;
  for (let start = 0; start < n;) {
    let end = start + 1;
    while (end < n && pooled[end]?.value === pooled[start]?.value) end += 1;
    const ties = end - start;
    // Positions start..end-1 hold ranks start+1..end; tied values share their mean.
    const rank = (start + 1 + end) / 2;
    for (let i = start; i < end; i += 1) if (pooled[i]?.first) rankSumX += rank;
    tieTerm += ties ** 3 - ties;
    start = end;
  }
  const u = rankSumX - (n1 * (n1 + 1)) / 2;
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  const deviation = u - (n1 * n2) / 2;
  if (sigma === 0) return { u, z: 0, p: 1 };
  const correction =
    alternative === 'two-sided'
      ? Math.sign(deviation) * 0.5
      : alternative === 'greater'
        ? 0.5
        : -0.5;
  const z = (deviation - correction) / sigma;
  return { u, z, p: Math.min(1, pValue(z, alternative)) };
}

function requireProportion({ events, total }: Proportion, name: string): void {
  if (
    !Number.isInteger(total) ||
    total <= 0 ||
    !Number.isInteger(events) ||
    events < 0 ||
    events > total
  ) {
    throw new RangeError(
      `${name} must be whole events out of a positive total, got ${events}/${total}`,
    );
  }
}

/**
 * Pooled two-proportion z-test of whether `a`'s rate differs from `b`'s: the test behind R's
 * `prop.test(correct = FALSE)` (whose X-squared is z²). When both rates are 0 or both are 1
 * there is no variance and no evidence: z = 0, p = 1.
 *
 * @throws RangeError unless events are whole numbers between 0 and a positive whole total.
 * @example twoProportionZTest({ events: 45, total: 100 }, { events: 30, total: 100 }) // z ≈ 2.19, p ≈ 0.0285
 */
export function twoProportionZTest(
  a: Proportion,
  b: Proportion,
  alternative: Alternative = 'two-sided',
): TwoProportionResult {
  requireProportion(a, 'the first proportion');
  requireProportion(b, 'the second proportion');
  const difference = a.events / a.total - b.events / b.total;
  const pooled = (a.events + b.events) / (a.total + b.total);
  const standardError = Math.sqrt(pooled * (1 - pooled) * (1 / a.total + 1 / b.total));
  if (standardError === 0) return { z: 0, p: 1, difference, pooled };
  const z = difference / standardError;
  return { z, p: pValue(z, alternative), difference, pooled };
}

/** The middle value (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  requireSample(values, 'the sample');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

/**
 * Effect size for latency: how much larger the canary's median is than the baseline's, relative
 * to the baseline's (0.3 = 30% slower, -0.1 = 10% faster). Medians rather than means, because
 * latency is skewed and a few slow requests should not dominate. A zero baseline median gives 0
 * when the canary's is also 0, and ±Infinity otherwise.
 */
export function relativeMedianChange(
  baseline: readonly number[],
  canary: readonly number[],
): number {
  const before = median(baseline);
  const after = median(canary);
  if (before === 0) return after === 0 ? 0 : Math.sign(after) * Infinity;
  return (after - before) / Math.abs(before);
}

/**
 * Effect size for an error rate: the canary's rate minus the baseline's, in absolute terms
 * (0.01 = one percentage point more errors). Absolute, because a relative change explodes when
 * the baseline has almost no errors.
 */
export function proportionDifference(baseline: Proportion, canary: Proportion): number {
  requireProportion(baseline, 'the baseline');
  requireProportion(canary, 'the canary');
  return canary.events / canary.total - baseline.events / baseline.total;
}
