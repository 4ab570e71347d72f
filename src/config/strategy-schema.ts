import { z } from 'zod';
import { analysisRefSchema } from './analysis-ref-schema.js';
import { blueGreenSchema } from './blue-green-schema.js';
import { canarySchema } from './canary-schema.js';
import { isZeroAmount, rollingAmountSchema } from './config-primitives.js';
import type { RollingConfig, StrategyConfig } from './ferry-config.js';
import { oneKeyMap } from './one-key-map.js';

const rollingSchema = z
  .strictObject({
    maxSurge: rollingAmountSchema.default(1),
    maxUnavailable: rollingAmountSchema.default(0),
    postDeployAnalysis: analysisRefSchema.optional(),
  })
  .refine((r) => !(isZeroAmount(r.maxSurge) && isZeroAmount(r.maxUnavailable)), {
    error:
      'maxSurge and maxUnavailable are both 0, so a rollout could never replace an instance; ' +
      'set maxSurge: 1 or maxUnavailable: 1',
  })
  .transform((rolling): RollingConfig => ({
    maxSurge: rolling.maxSurge,
    maxUnavailable: rolling.maxUnavailable,
    postDeployAnalysis: rolling.postDeployAnalysis ?? null,
  }));

/**
 * `strategy`: how a rollout replaces instances, one of `rolling` (the default, also for
 * `strategy: {}`), `canary` or `blueGreen`.
 */
export const strategySchema = oneKeyMap(
  {
    rolling: rollingSchema.transform((rolling): StrategyConfig => ({ kind: 'rolling', rolling })),
    canary: canarySchema.transform((canary): StrategyConfig => ({ kind: 'canary', canary })),
    blueGreen: blueGreenSchema.transform((blueGreen): StrategyConfig => ({
      kind: 'blueGreen',
      blueGreen,
    })),
  },
  {
    what: 'a map with one of rolling, canary or blueGreen',
    many: 'a service rolls out with one strategy, so keep the one to use',
    empty: { kind: 'rolling', rolling: rollingSchema.parse({}) },
  },
);
