import { z } from 'zod';
import { durationSchema, rollingAmountSchema, tokenSchema } from './config-primitives.js';
import { canaryStepSchema } from './canary-step-schema.js';
import { expecting } from './describe-value.js';
import type { CanaryConfig } from './ferry-config.js';

/** Cookie that pins a client to a version when `stickySession: true`. */
export const defaultStickyCookie = 'ferry-version';

const stickySessionSchema = z.union(
  [
    z.boolean().transform((sticky) => (sticky ? { cookie: defaultStickyCookie } : null)),
    z.strictObject({ cookie: tokenSchema('a cookie name such as ferry-version') }),
  ],
  { error: expecting('true, false or a map such as { cookie: my-cookie }') },
);

/** `strategy.canary`: shift traffic to the new version step by step. */
export const canarySchema = z
  .strictObject({
    maxSurge: rollingAmountSchema.default('25%'),
    stickySession: stickySessionSchema.prefault(false),
    abortScaleDownDelay: durationSchema.prefault('30s'),
    steps: z
      .array(canaryStepSchema, { error: expecting('a list of steps such as - setWeight: 10') })
      .min(1, { error: 'at least one step is required, e.g. - setWeight: 20' }),
  })
  .transform((canary): CanaryConfig => ({
    maxSurge: canary.maxSurge,
    stickySession: canary.stickySession,
    abortScaleDownDelayMs: canary.abortScaleDownDelay,
    steps: canary.steps,
  }));
