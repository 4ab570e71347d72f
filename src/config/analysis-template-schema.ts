import { z } from 'zod';
import { conditionSchema } from './condition-schema.js';
import { countSchema, durationSchema } from './config-primitives.js';
import { expecting, expectingMap } from './describe-value.js';
import type { AnalysisMetric, AnalysisTemplate } from './ferry-config.js';
import { metricProviderSchema } from './metric-provider-schema.js';

const labelPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** A template or metric name such as `errors` or `error-rate`: it shows in messages and URLs. */
export function analysisLabelSchema(example: string) {
  const error = expecting(`a name of letters, digits, -, _ and . such as ${example}`);
  return z.string({ error }).regex(labelPattern, { error });
}

const numberSchema = z.number({ error: expecting('a number') });

const metricSchema = z
  .strictObject(
    {
      name: analysisLabelSchema('error-rate'),
      provider: metricProviderSchema,
      min: numberSchema.optional(),
      max: numberSchema.optional(),
      successCondition: conditionSchema.optional(),
      failureCondition: conditionSchema.optional(),
      minSampleSize: countSchema(0).optional(),
      dryRun: z.boolean({ error: expecting('true or false') }).default(false),
    },
    { error: expectingMap('a metric such as { name: error-rate, provider: ..., max: 0.01 }') },
  )
  .transform((metric, ctx): AnalysisMetric => {
    const { min, max, successCondition, failureCondition, minSampleSize } = metric;
    if ([min, max, successCondition, failureCondition].every((value) => value === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: `metric "${metric.name}" has nothing to judge by; set min, max, successCondition or failureCondition`,
        input: metric,
      });
      return z.NEVER;
    }
    if (min !== undefined && max !== undefined && min > max) {
      ctx.addIssue({
        code: 'custom',
        message: `min ${min} is above max ${max}, so no value could pass`,
        input: min,
        path: ['min'],
      });
      return z.NEVER;
    }
    return {
      name: metric.name,
      provider: metric.provider,
      ...(min === undefined ? {} : { min }),
      ...(max === undefined ? {} : { max }),
      ...(successCondition === undefined ? {} : { successCondition }),
      ...(failureCondition === undefined ? {} : { failureCondition }),
      ...(minSampleSize === undefined ? {} : { minSampleSize }),
      dryRun: metric.dryRun,
    };
  });

/**
 * One entry of a service's `analysis`: metrics measured together on an interval, with limits on
 * bad measurements. Metric names are checked to be unique in `check-analysis.ts`.
 */
export const analysisTemplateSchema = z
  .strictObject(
    {
      interval: durationSchema.prefault('10s'),
      count: countSchema(1).optional(),
      initialDelay: durationSchema.prefault('0s'),
      failureLimit: countSchema(0).default(0),
      inconclusiveLimit: countSchema(0).default(0),
      consecutiveErrorLimit: countSchema(0).default(4),
      metrics: z
        .array(metricSchema, { error: expecting('a list of metrics') })
        .min(1, { error: 'at least one metric is required, e.g. - name: error-rate' }),
    },
    { error: expectingMap('a template such as { interval: 10s, metrics: [...] }') },
  )
  .transform((template): AnalysisTemplate => ({
    intervalMs: template.interval,
    count: template.count ?? null,
    initialDelayMs: template.initialDelay,
    failureLimit: template.failureLimit,
    inconclusiveLimit: template.inconclusiveLimit,
    consecutiveErrorLimit: template.consecutiveErrorLimit,
    metrics: template.metrics,
  }));
