import type { AnalysisMetric } from '../../config/ferry-config.js';
import type { MetricCriteria } from './domain/judge-measurement.js';
import type { MetricRunSpec } from './domain/judge-run.js';
import type { NamedTemplate } from './analysis-run.js';

/** One metric of a run: when it is measured, how its values are judged, and its limits. */
export interface PlannedMetric {
  /** `template/metric`: unique within the run even when two templates name a metric alike. */
  readonly key: string;
  readonly metric: AnalysisMetric;
  readonly initialDelayMs: number;
  readonly intervalMs: number;
  readonly criteria: MetricCriteria;
  readonly runSpec: MetricRunSpec;
}

/** Every metric of every template, with the template's timing and limits. */
export function planMetrics(templates: readonly NamedTemplate[]): readonly PlannedMetric[] {
  return templates.flatMap(({ name, template }) =>
    template.metrics.map((metric): PlannedMetric => {
      const key = `${name}/${metric.name}`;
      const { min, max, successCondition, failureCondition, minSampleSize } = metric;
      return {
        key,
        metric,
        initialDelayMs: template.initialDelayMs,
        intervalMs: template.intervalMs,
        criteria: { min, max, successCondition, failureCondition, minSampleSize },
        runSpec: {
          name: key,
          ...(template.count === null ? {} : { count: template.count }),
          failureLimit: template.failureLimit,
          inconclusiveLimit: template.inconclusiveLimit,
          consecutiveErrorLimit: template.consecutiveErrorLimit,
          dryRun: metric.dryRun,
        },
      };
    }),
  );
}
