import { z } from 'zod';
import { badDirections, canaryMetricKinds } from '../features/analysis/domain/compare-canary.js';
import { analysisLabelSchema } from './analysis-template-schema.js';
import { countSchema } from './config-primitives.js';
import { expecting, expectingMap } from './describe-value.js';
import type { JudgeConfig, JudgeMetric } from './ferry-config.js';

const scoreError = expecting('a score from 0 to 100');
const scoreSchema = z.number({ error: scoreError }).min(0, { error: scoreError }).max(100, {
  error: scoreError,
});

const toleranceError = expecting('a number >= 0 such as 0.1');

const judgeMetricSchema = z
  .strictObject(
    {
      name: analysisLabelSchema('latency'),
      kind: z.enum(canaryMetricKinds, {
        error: expecting(`one of ${canaryMetricKinds.join(', ')}`),
      }),
      direction: z
        .enum(badDirections, { error: expecting(`one of ${badDirections.join(', ')}`) })
        .default('increase'),
      critical: z.boolean({ error: expecting('true or false') }).default(false),
      effectSizeTolerance: z.number({ error: toleranceError }).min(0, { error: toleranceError }),
      minSampleSize: countSchema(0).optional(),
    },
    {
      error: expectingMap(
        'a metric such as { name: latency, kind: latency, effectSizeTolerance: 0.1 }',
      ),
    },
  )
  .transform(({ minSampleSize, ...metric }): JudgeMetric => ({
    ...metric,
    ...(minSampleSize === undefined ? {} : { minSampleSize }),
  }));

/**
 * `canary.judge`: compares the canary with the baseline in `judge` steps. Needs
 * `baseline: { enabled: true }`, checked in `check-analysis.ts` with the steps that use it.
 */
export const judgeSchema = z
  .strictObject(
    {
      passThreshold: scoreSchema.default(95),
      marginalThreshold: scoreSchema.default(75),
      metrics: z.array(judgeMetricSchema, { error: expecting('a list of metrics') }).min(1, {
        error: 'at least one metric is required, e.g. - { name: latency, kind: latency }',
      }),
    },
    { error: expectingMap('a map such as { metrics: [...] }') },
  )
  .transform((judge, ctx): JudgeConfig => {
    if (judge.marginalThreshold > judge.passThreshold) {
      ctx.addIssue({
        code: 'custom',
        message: `marginalThreshold ${judge.marginalThreshold} is above passThreshold ${judge.passThreshold}; lower it`,
        input: judge.marginalThreshold,
        path: ['marginalThreshold'],
      });
      return z.NEVER;
    }
    return judge;
  });
