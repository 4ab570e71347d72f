import {
  mannWhitneyU,
  median,
  proportionDifference,
  relativeMedianChange,
  twoProportionZTest,
  type Proportion,
} from './statistics.js';

export const canaryMetricKinds = ['latency', 'errorRate'] as const;
export type CanaryMetricKind = (typeof canaryMetricKinds)[number];

/** Which change of a metric is bad: more latency is, usually; `either` for a metric that must hold. */
export const badDirections = ['increase', 'decrease', 'either'] as const;
export type BadDirection = (typeof badDirections)[number];

/** Per metric: `High`/`Low` are significant, too-large changes in a bad direction, i.e. failures. */
export const metricClassifications = ['Pass', 'High', 'Low', 'NoData'] as const;
export type MetricClassification = (typeof metricClassifications)[number];

/** `NoData` when no metric had enough samples to judge: neither a pass nor a failure. */
export const canaryVerdicts = ['Pass', 'Marginal', 'Fail', 'NoData'] as const;
export type CanaryVerdict = (typeof canaryVerdicts)[number];

/** Below this many samples (latency) or requests (error rate) on either side a metric is NoData. */
export const defaultMinSampleSize: Readonly<Record<CanaryMetricKind, number>> = {
  latency: 20,
  errorRate: 100,
};

interface CanaryMetricBase {
  readonly name: string;
  readonly direction: BadDirection;
  /** A critical metric that fails sends the score to 0, whatever the others say. */
  readonly critical: boolean;
  /**
   * Smallest change that matters. Latency: relative to the baseline median (0.1 = 10% slower).
   * Error rate: absolute difference of rates (0.01 = one percentage point more errors).
   */
  readonly effectSizeTolerance: number;
  /** Defaults to `defaultMinSampleSize[kind]`. */
  readonly minSampleSize?: number;
}

/** One metric observed on the baseline and on the canary over the same window. */
export type CanaryMetricInput =
  | (CanaryMetricBase & {
      readonly kind: 'latency';
      readonly baseline: readonly number[];
      readonly canary: readonly number[];
    })
  | (CanaryMetricBase & {
      readonly kind: 'errorRate';
      /** `events` are errors, `total` requests. */
      readonly baseline: Proportion;
      readonly canary: Proportion;
    });

/** What one side showed: sample or request count and the median latency or the error rate. */
export interface CanarySide {
  readonly count: number;
  readonly value: number | null;
}

export interface CanaryMetricResult {
  readonly name: string;
  readonly kind: CanaryMetricKind;
  readonly critical: boolean;
  readonly classification: MetricClassification;
  /** Two-sided p-value of the test; null for NoData. */
  readonly pValue: number | null;
  /** Canary relative to baseline (see `effectSizeTolerance`); null for NoData. */
  readonly effectSize: number | null;
  readonly baseline: CanarySide;
  readonly canary: CanarySide;
  readonly reason: string;
}

export interface CanaryComparison {
  /** 0–100: the share of metrics with data that passed, equally weighted. */
  readonly score: number;
  readonly verdict: CanaryVerdict;
  readonly metrics: readonly CanaryMetricResult[];
}

export interface CompareCanaryOptions {
  /** Significance level of each metric's test. Default 0.05. */
  readonly alpha?: number;
  /** Score at or above which the canary passes. Default 95. */
  readonly passThreshold?: number;
  /** Score at or above which a canary that does not pass is Marginal rather than Fail. Default 75. */
  readonly marginalThreshold?: number;
}

/** A metric's two sides, how to test them, and how to word its effect size. */
interface Measured {
  readonly sides: { readonly baseline: CanarySide; readonly canary: CanarySide };
  readonly judge: () => { readonly pValue: number; readonly effectSize: number };
  readonly unit: string;
  readonly describe: (effect: number) => string;
}

function measure(metric: CanaryMetricInput): Measured {
  if (metric.kind === 'latency') {
    const { baseline, canary } = metric;
    const sides = {
      baseline: { count: baseline.length, value: baseline.length > 0 ? median(baseline) : null },
      canary: { count: canary.length, value: canary.length > 0 ? median(canary) : null },
    };
    const judge = () => ({
      pValue: mannWhitneyU(canary, baseline).p,
      effectSize: relativeMedianChange(baseline, canary),
    });
    return { sides, judge, unit: 'median', describe: (e: number) => `${(e * 100).toFixed(1)}%` };
  }
  const { baseline, canary } = metric;
  const rate = (side: Proportion) => (side.total > 0 ? side.events / side.total : null);
  const sides = {
    baseline: { count: baseline.total, value: rate(baseline) },
    canary: { count: canary.total, value: rate(canary) },
  };
  const judge = () => ({
    pValue: twoProportionZTest(canary, baseline).p,
    effectSize: proportionDifference(baseline, canary),
  });
  return {
    sides,
    judge,
    unit: 'error rate',
    describe: (e: number) => `${(e * 100).toFixed(2)} points`,
  };
}

function classify(metric: CanaryMetricInput, alpha: number): CanaryMetricResult {
  const { name, kind, critical, direction, effectSizeTolerance: tolerance } = metric;
  const { sides, judge, unit, describe } = measure(metric);
  // The tests need at least one observation per side, whatever the configuration says.
  const minimum = Math.max(1, metric.minSampleSize ?? defaultMinSampleSize[kind]);
  const short = (['baseline', 'canary'] as const).find((side) => sides[side].count < minimum);
  if (short !== undefined) {
    const reason = `${short} has ${sides[short].count} samples, fewer than the ${minimum} needed`;
    return {
      name,
      kind,
      critical,
      classification: 'NoData',
      pValue: null,
      effectSize: null,
      ...sides,
      reason,
    };
  }
  const { pValue, effectSize } = judge();
  const significant = pValue < alpha;
  const high = significant && effectSize > tolerance && direction !== 'decrease';
  const low = significant && effectSize < -tolerance && direction !== 'increase';
  const classification = high ? 'High' : low ? 'Low' : 'Pass';
  const change = `canary ${unit} ${effectSize >= 0 ? '+' : ''}${describe(effectSize)} (p = ${pValue.toPrecision(3)})`;
  const why =
    classification !== 'Pass'
      ? `beyond tolerance ${describe(tolerance)}, significant at ${alpha}`
      : !significant
        ? `not significant at ${alpha}`
        : Math.abs(effectSize) <= tolerance
          ? `within tolerance ${describe(tolerance)}`
          : 'a change in the harmless direction';
  const reason = `${change}: ${why}`;
  return { name, kind, critical, classification, pValue, effectSize, ...sides, reason };
}

/**
 * Compares a canary with a baseline started at the same time, in the manner of Kayenta: each
 * metric is tested (Mann-Whitney U for latency, a two-proportion z-test for error rates,
 * two-sided at `alpha`) and fails as High or Low only when the difference is both significant and
 * larger than its tolerance in a bad direction. A significant but tiny change passes; so does a
 * large change in the good direction.
 *
 * The score is 100 × passed / metrics with data, all weighted equally; NoData metrics are left
 * out, and any failing critical metric makes it 0. Score ≥ `passThreshold` is Pass, ≥
 * `marginalThreshold` Marginal, else Fail; with no data at all the verdict is NoData (score 0).
 *
 * @example compareCanary([{ name: 'latency', kind: 'latency', direction: 'increase', critical: false,
 *   effectSizeTolerance: 0.1, baseline, canary }]) // { score: 0, verdict: 'Fail', metrics: [...] }
 */
export function compareCanary(
  metrics: readonly CanaryMetricInput[],
  options: CompareCanaryOptions = {},
): CanaryComparison {
  const { alpha = 0.05, passThreshold = 95, marginalThreshold = 75 } = options;
  if (marginalThreshold > passThreshold) {
    throw new RangeError(
      `marginalThreshold ${marginalThreshold} is above passThreshold ${passThreshold}`,
    );
  }
  const results = metrics.map((metric) => classify(metric, alpha));
  const withData = results.filter((result) => result.classification !== 'NoData');
  if (withData.length === 0) return { score: 0, verdict: 'NoData', metrics: results };
  const passed = withData.filter((result) => result.classification === 'Pass').length;
  const criticalFailed = withData.some(
    (result) => result.critical && result.classification !== 'Pass',
  );
  const score = criticalFailed ? 0 : (100 * passed) / withData.length;
  const verdict =
    score >= passThreshold ? 'Pass' : score >= marginalThreshold ? 'Marginal' : 'Fail';
  return { score, verdict, metrics: results };
}
