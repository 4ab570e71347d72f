import { z } from 'zod';
import { analysisLabelSchema, analysisTemplateSchema } from './analysis-template-schema.js';
import { countSchema, durationSchema } from './config-primitives.js';
import { expecting, expectingMap } from './describe-value.js';
import type { ServiceOverride } from './ferry-config.js';
import { envSchema } from './local-runtime-schema.js';
import { smokeChecksSchema } from './smoke-schema.js';
import { strategySchema } from './strategy-schema.js';

/** `progressDeadline`, of a service or of one of its overrides. */
export const progressDeadlineSchema = durationSchema.refine((ms) => ms > 0, {
  error: 'a progressDeadline of 0 would fail every rollout at once; give it 1m or more',
});

/** `analysis`: templates by name, of a service or of one of its overrides. */
export const analysisTemplatesSchema = z.record(
  analysisLabelSchema('errors'),
  analysisTemplateSchema,
  { error: expecting('a map of analysis templates such as errors: { metrics: [...] }') },
);

const overrideFields = ['replicas', 'env', 'strategy', 'analysis', 'smoke', 'progressDeadline'];

/** One `overrides.<environment>`: the sub-schemas of the service's own fields, all optional. */
const serviceOverrideSchema = z
  .strictObject(
    {
      replicas: countSchema(1).optional(),
      env: envSchema.optional(),
      strategy: strategySchema.optional(),
      analysis: analysisTemplatesSchema.optional(),
      smoke: smokeChecksSchema.optional(),
      progressDeadline: progressDeadlineSchema.optional(),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `allowed fields are ${overrideFields.join(', ')}` +
            (issue.keys.includes('routes')
              ? " (routes are per environment already: set them in the service's routes)"
              : '')
          : expectingMap('a map such as { replicas: 3, strategy: { canary: { ... } } }')(issue),
    },
  )
  .transform((o): ServiceOverride => ({
    ...(o.replicas === undefined ? {} : { replicas: o.replicas }),
    ...(o.env === undefined ? {} : { env: o.env }),
    ...(o.strategy === undefined ? {} : { strategy: o.strategy }),
    ...(o.analysis === undefined ? {} : { analysis: o.analysis }),
    ...(o.smoke === undefined ? {} : { smoke: o.smoke }),
    ...(o.progressDeadline === undefined ? {} : { progressDeadlineMs: o.progressDeadline }),
  }));

/**
 * `overrides`: per environment name, what the service does differently there, e.g. a canary in
 * prod over a rolling update elsewhere. Environment names are checked against `environments`
 * by `check-routes.ts`; the overrides' strategies and analysis by the other cross-field checks.
 */
export const serviceOverridesSchema = z
  .record(z.string(), serviceOverrideSchema, {
    error: expectingMap('a map of environments such as { prod: { replicas: 3 } }'),
  })
  .default({});
