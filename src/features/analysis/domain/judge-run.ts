import type { Measurement, RunPhase } from './measurement.js';

/** How many measurements one metric takes and how many bad ones it tolerates (Argo Rollouts). */
export interface MetricRunSpec {
  readonly name: string;
  /** Measurements to take; without it the metric runs until the run is terminated. */
  readonly count?: number;
  /** Failed measurements tolerated; one more fails the metric. Default 0. */
  readonly failureLimit?: number;
  /** Inconclusive measurements tolerated; one more makes the metric Inconclusive. Default 0. */
  readonly inconclusiveLimit?: number;
  /** Errors in a row tolerated; one more makes the metric Error. Default 4. */
  readonly consecutiveErrorLimit?: number;
  /** Measured and reported, but never decides the run. */
  readonly dryRun?: boolean;
}

/** Where one metric stands after folding its measurements. */
export interface MetricRunResult {
  readonly metric: string;
  readonly phase: RunPhase;
  readonly dryRun: boolean;
  /** Measurements that count towards `count`: every phase but Error, as in Argo Rollouts. */
  readonly count: number;
  readonly successful: number;
  readonly failed: number;
  readonly inconclusive: number;
  readonly error: number;
  readonly consecutiveError: number;
  /** Why the metric ended, when it did. */
  readonly message?: string;
}

/** The phase of a whole run, from the metrics that decide it, with dry-run metrics beside. */
export interface RunJudgement {
  readonly phase: RunPhase;
  readonly metrics: readonly MetricRunResult[];
  readonly dryRun: readonly MetricRunResult[];
  /** The deciding metric's reason, prefixed with its name, when the run is not Running. */
  readonly message?: string;
}

export const defaultFailureLimit = 0;
export const defaultInconclusiveLimit = 0;
export const defaultConsecutiveErrorLimit = 4;

/**
 * Run phases from worst to best. A run is as bad as its worst deciding metric: one Failed metric
 * fails the run at once even while others are still Running (the rollout can abort without
 * waiting), an Error (no trustworthy data) outranks Inconclusive (data that decides nothing), and
 * the run is Successful only when every deciding metric is.
 */
export const runPhasePrecedence: readonly RunPhase[] = [
  'Failed',
  'Error',
  'Inconclusive',
  'Running',
  'Successful',
];

/** The worst of some phases by `runPhasePrecedence`; Successful when there are none. */
export function worstPhase(phases: readonly RunPhase[]): RunPhase {
  return runPhasePrecedence.find((phase) => phases.includes(phase)) ?? 'Successful';
}

type Tally = Omit<MetricRunResult, 'metric' | 'phase' | 'dryRun' | 'message'>;

const counterOf = {
  Successful: 'successful',
  Failed: 'failed',
  Inconclusive: 'inconclusive',
} as const;

function tally(counts: Tally, measurement: Measurement): Tally {
  if (measurement.phase === 'Error') {
    return { ...counts, error: counts.error + 1, consecutiveError: counts.consecutiveError + 1 };
  }
  const counter = counterOf[measurement.phase];
  return {
    ...counts,
    [counter]: counts[counter] + 1,
    count: counts.count + 1,
    consecutiveError: 0,
  };
}

/** Argo Rollouts' assessMetricStatus: limits first, in this order, then the count. */
function assess(
  spec: MetricRunSpec,
  t: Tally,
  last: Measurement,
): Pick<MetricRunResult, 'phase' | 'message'> {
  const failureLimit = spec.failureLimit ?? defaultFailureLimit;
  const inconclusiveLimit = spec.inconclusiveLimit ?? defaultInconclusiveLimit;
  const errorLimit = spec.consecutiveErrorLimit ?? defaultConsecutiveErrorLimit;
  const because = last.message === undefined ? '' : `; last: ${last.message}`;
  if (t.failed > failureLimit) {
    return {
      phase: 'Failed',
      message: `${t.failed} failed, more than failureLimit ${failureLimit}${because}`,
    };
  }
  if (t.inconclusive > inconclusiveLimit) {
    const message = `${t.inconclusive} inconclusive, more than inconclusiveLimit ${inconclusiveLimit}${because}`;
    return { phase: 'Inconclusive', message };
  }
  if (t.consecutiveError > errorLimit) {
    const message = `${t.consecutiveError} errors in a row, more than consecutiveErrorLimit ${errorLimit}${because}`;
    return { phase: 'Error', message };
  }
  if (spec.count !== undefined && t.count >= spec.count) {
    if (t.successful === 0) return noSuccess(t);
    return { phase: 'Successful', message: `${t.count} of ${spec.count} measurements taken` };
  }
  return { phase: 'Running' };
}

/**
 * Ferry departs from Argo Rollouts here: a metric that settles without one Successful measurement
 * (every value Inconclusive within its limit, e.g. too little traffic, or nothing measured before
 * the step ended) is Inconclusive, never a pass.
 */
function noSuccess(t: Tally): Pick<MetricRunResult, 'phase' | 'message'> {
  const message =
    t.count + t.error === 0
      ? 'no measurement was taken'
      : `no measurement succeeded (${t.inconclusive} inconclusive, ${t.failed} failed, ${t.error} errors)`;
  return { phase: 'Inconclusive', message };
}

/** Measurements in time order; equal times keep the order they were given in. */
function inTimeOrder(measurements: readonly Measurement[]): Measurement[] {
  return measurements
    .map((measurement, position) => ({ measurement, position }))
    .sort((a, b) => a.measurement.at - b.measurement.at || a.position - b.position)
    .map(({ measurement }) => measurement);
}

/**
 * Folds one metric's measurements, in time order, into its phase. The first measurement that
 * crosses a limit or reaches `count` settles the metric, and later ones are ignored, as Argo
 * Rollouts stops measuring a completed metric. A metric still Running when `terminating` is set
 * (its analysis step is over, or the rollout moved on) is Successful, as in Argo Rollouts, provided
 * one of its measurements succeeded (see `noSuccess`).
 */
export function judgeMetric(
  spec: MetricRunSpec,
  measurements: readonly Measurement[],
  terminating = false,
): MetricRunResult {
  let counts: Tally = {
    count: 0,
    successful: 0,
    failed: 0,
    inconclusive: 0,
    error: 0,
    consecutiveError: 0,
  };
  let verdict: Pick<MetricRunResult, 'phase' | 'message'> = { phase: 'Running' };
  for (const measurement of inTimeOrder(measurements)) {
    if (measurement.metric !== spec.name) continue;
    counts = tally(counts, measurement);
    verdict = assess(spec, counts, measurement);
    if (verdict.phase !== 'Running') break;
  }
  if (verdict.phase === 'Running' && terminating) {
    verdict =
      counts.successful === 0
        ? noSuccess(counts)
        : { phase: 'Successful', message: 'run terminated before the metric settled' };
  }
  return { metric: spec.name, dryRun: spec.dryRun ?? false, ...counts, ...verdict };
}

/**
 * Judges an analysis run: each metric as `judgeMetric` does, and the run as the worst deciding
 * metric (see `runPhasePrecedence`). Dry-run metrics are judged the same way and returned in
 * `dryRun`, but never change the run's phase; a run with no deciding metric is Successful.
 *
 * @example judgeRun([{ name: 'errors', count: 3 }], measurements).phase // 'Running' after two good ones
 */
export function judgeRun(
  metrics: readonly MetricRunSpec[],
  measurements: readonly Measurement[],
  options: { readonly terminating?: boolean } = {},
): RunJudgement {
  const results = metrics.map((spec) => judgeMetric(spec, measurements, options.terminating));
  const deciding = results.filter((result) => !result.dryRun);
  const phase = worstPhase(deciding.map((result) => result.phase));
  const worst = deciding.find((result) => result.phase === phase && result.message !== undefined);
  return {
    phase,
    metrics: deciding,
    dryRun: results.filter((result) => result.dryRun),
    ...(phase !== 'Running' && worst ? { message: `${worst.metric}: ${worst.message}` } : {}),
  };
}
