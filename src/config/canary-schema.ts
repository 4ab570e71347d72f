import { z } from 'zod';
import { backgroundAnalysisSchema } from './analysis-ref-schema.js';
import { durationSchema, rollingAmountSchema, tokenSchema } from './config-primitives.js';
import { canaryStepSchema } from './canary-step-schema.js';
import { expecting, expectingMap } from './describe-value.js';
import type { CanaryConfig } from './ferry-config.js';
import { judgeSchema } from './judge-schema.js';

/** Cookie that pins a client to a version when `stickySession: true`. */
export const defaultStickyCookie = 'ferry-version';

const maxAgeSchema = durationSchema.refine((ms) => ms >= 1_000, {
  error: 'stickySession.maxAge must be at least 1s, e.g. 1h',
});

/**
 * `stickySession`: `true` for the `ferry-version` cookie, or a map with `cookie` and `maxAge`.
 * Without `maxAge` the pin is a session cookie (as ingress-nginx's cookie affinity by default).
 */
const stickySessionSchema = z
  .union(
    [
      z.boolean(),
      z.strictObject({
        cookie: tokenSchema('a cookie name such as ferry-version').default(defaultStickyCookie),
        maxAge: maxAgeSchema.optional(),
      }),
    ],
    { error: expecting('true, false or a map such as { cookie: my-cookie, maxAge: 1h }') },
  )
  // After the union: a transform inside a branch would hide that branch's own messages.
  .transform((sticky) => {
    if (typeof sticky === 'boolean') {
      return sticky ? { cookie: defaultStickyCookie, maxAgeMs: null } : null;
    }
    return { cookie: sticky.cookie, maxAgeMs: sticky.maxAge ?? null };
  });

/** `baseline: { enabled: true }`: run the stable version beside the canary, for the judge. */
const baselineSchema = z
  .strictObject(
    { enabled: z.boolean({ error: expecting('true or false') }).default(false) },
    { error: expectingMap('a map such as { enabled: true }') },
  )
  .transform(({ enabled }) => enabled);

/** `strategy.canary`: shift traffic to the new version step by step. */
export const canarySchema = z
  .strictObject({
    maxSurge: rollingAmountSchema.default('25%'),
    stickySession: stickySessionSchema.prefault(false),
    abortScaleDownDelay: durationSchema.prefault('30s'),
    analysis: backgroundAnalysisSchema.optional(),
    baseline: baselineSchema.prefault({}),
    judge: judgeSchema.optional(),
    steps: z
      .array(canaryStepSchema, { error: expecting('a list of steps such as - setWeight: 10') })
      .min(1, { error: 'at least one step is required, e.g. - setWeight: 20' }),
  })
  .transform((canary): CanaryConfig => ({
    maxSurge: canary.maxSurge,
    stickySession: canary.stickySession,
    abortScaleDownDelayMs: canary.abortScaleDownDelay,
    analysis: canary.analysis ?? null,
    baseline: canary.baseline,
    judge: canary.judge ?? null,
    steps: canary.steps,
  }));
