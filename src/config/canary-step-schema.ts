import { z } from 'zod';
import { templateNamesSchema } from './analysis-ref-schema.js';
import { countSchema, durationSchema, percentSchema } from './config-primitives.js';
import { expecting, expectingMap } from './describe-value.js';
import type { CanaryStep } from './ferry-config.js';
import { oneKeyMap } from './one-key-map.js';
import { approvalRequirementSchema } from './risk-schema.js';
import { routeMatchSchema } from './route-match-schema.js';

type StepOf<K extends CanaryStep['kind']> = Extract<CanaryStep, { readonly kind: K }>;

const pauseSchema = z
  .strictObject(
    { duration: durationSchema.optional() },
    { error: expectingMap('a map such as {} (until promoted) or { duration: 30s }') },
  )
  .transform((pause): StepOf<'pause'> => ({ kind: 'pause', durationMs: pause.duration ?? null }));

const scaleSchema = oneKeyMap(
  {
    replicas: countSchema(0).transform((replicas) => ({ replicas })),
    weight: percentSchema.transform((weight) => ({ weight })),
    matchTrafficWeight: z
      .literal(true, { error: expecting('true (to stop matching, set replicas or weight)') })
      .transform(() => ({ matchTrafficWeight: true as const })),
  },
  {
    what: 'a map such as { replicas: 2 }, { weight: 50 } or { matchTrafficWeight: true }',
    many: 'keep one',
  },
);

const matchListError = expecting('a list of matches such as - { header: x-canary, exact: "yes" }');

/** Every step a canary can take, keyed as ferry.yaml writes it, in the order messages list them. */
const steps = {
  setWeight: percentSchema.transform((weight): StepOf<'setWeight'> => ({
    kind: 'setWeight',
    weight,
  })),
  pause: pauseSchema,
  setCanaryScale: scaleSchema.transform((scale): StepOf<'setCanaryScale'> => ({
    kind: 'setCanaryScale',
    scale,
  })),
  setHeaderRoute: z
    .strictObject({ match: z.array(routeMatchSchema, { error: matchListError }) })
    .transform(({ match }): StepOf<'setHeaderRoute'> => ({ kind: 'setHeaderRoute', match })),
  setMirror: z
    .strictObject({ percentage: percentSchema })
    .transform(({ percentage }): StepOf<'setMirror'> => ({ kind: 'setMirror', percentage })),
  analysis: z
    .strictObject(
      { templates: templateNamesSchema, duration: durationSchema.optional() },
      { error: expectingMap('a map such as { templates: [errors], duration: 30s }') },
    )
    .transform(({ templates, duration }): StepOf<'analysis'> => ({
      kind: 'analysis',
      templates,
      durationMs: duration ?? null,
    })),
  judge: z
    .strictObject(
      { duration: durationSchema, interval: durationSchema.optional() },
      { error: expectingMap('a map such as { duration: 60s, interval: 15s }') },
    )
    .superRefine(({ duration, interval }, ctx) => {
      if (interval !== undefined && (interval <= 0 || interval >= duration)) {
        ctx.addIssue({
          code: 'custom',
          message:
            'interval must be above 0 and shorter than duration (it is how often to look before the end)',
          input: interval,
          path: ['interval'],
        });
      }
    })
    .transform(({ duration, interval }): StepOf<'judge'> => ({
      kind: 'judge',
      durationMs: duration,
      intervalMs: interval ?? null,
    })),
  approval: approvalRequirementSchema.transform((requirement): StepOf<'approval'> => ({
    kind: 'approval',
    requirement,
  })),
} satisfies { readonly [K in CanaryStep['kind']]: z.ZodType<StepOf<K>, unknown> };

/**
 * One item of `canary.steps`: a map with exactly one key naming the step.
 *
 * @example - setWeight: 12.5 // { kind: 'setWeight', weight: 12.5 }
 */
export const canaryStepSchema = oneKeyMap(steps, {
  what: 'a step such as setWeight: 10 or pause: {}',
  many: 'give each step its own list item',
});

/** One item of `blueGreen.prePromotionSteps`: the canary step grammar, but only `pause` today. */
export const prePromotionStepSchema = oneKeyMap(
  { pause: pauseSchema },
  {
    what: 'a step such as pause: { duration: 5s }',
    many: 'give each step its own list item',
    only: 'only pause steps run before promotion for now',
  },
);
