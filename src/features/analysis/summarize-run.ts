import { judgeMetric, type MetricRunResult } from './domain/judge-run.js';
import type { Measurement } from './domain/measurement.js';
import { planMetrics } from './analysis-plan.js';
import type { AnalysisRun, RecordedMeasurement } from './analysis-run.js';

/**
 * Per-metric tallies of a recorded run, in the order its templates list the metrics, dry-run
 * metrics included (`dryRun: true`); for a run without templates (the canary judge), per metric
 * it recorded. Each metric is judged as `judgeRun` judges it while the run
 * goes on; a finished run is judged as terminated, so a metric it left Running reads Successful,
 * as `AnalysisRunner.status()` reports it.
 *
 * @example summarizeRun(run, await store.listMeasurements(run.id))[0] // { metric: 'errors/error-rate', failed: 2, ... }
 */
export function summarizeRun(
  run: Pick<AnalysisRun, 'templates' | 'finishedAt' | 'phase'>,
  measurements: readonly RecordedMeasurement[],
): readonly MetricRunResult[] {
  const judged = measurements.map(toMeasurement);
  // A run stopped without a verdict leaves its metrics where they stood.
  const terminating = run.finishedAt !== null && run.phase !== 'Running';
  const plans = planMetrics(run.templates);
  if (plans.length > 0) {
    return plans.map((plan) => judgeMetric(plan.runSpec, judged, terminating));
  }
  // A run without templates (the canary judge) records one verdict per metric: each metric is
  // what its measurement says, in the order they were recorded.
  const names = [...new Set(measurements.map((m) => m.metric))];
  return names.map((name) => judgeMetric({ name, count: 1 }, judged, terminating));
}

/** A recorded measurement as the judge reads it: a number or no value, epoch ms. */
export function toMeasurement(recorded: RecordedMeasurement): Measurement {
  return {
    metric: recorded.metric,
    value: typeof recorded.value === 'number' ? recorded.value : null,
    phase: recorded.phase,
    at: Date.parse(recorded.at),
    ...(recorded.message === null ? {} : { message: recorded.message }),
    ...(recorded.sampleSize === null ? {} : { sampleSize: recorded.sampleSize }),
  };
}
