import { z } from 'zod';
import { isZeroAmount, rollingAmountSchema } from './config-primitives.js';
import type { StrategyConfig } from './ferry-config.js';

const rollingSchema = z
  .strictObject({
    maxSurge: rollingAmountSchema.default(1),
    maxUnavailable: rollingAmountSchema.default(0),
  })
  .refine((r) => !(isZeroAmount(r.maxSurge) && isZeroAmount(r.maxUnavailable)), {
    error:
      'maxSurge and maxUnavailable are both 0, so a rollout could never replace an instance; ' +
      'set maxSurge: 1 or maxUnavailable: 1',
  });

/** `strategy`: how a rollout replaces instances. Only `rolling` exists today; it is the default. */
export const strategySchema = z
  .strictObject({ rolling: rollingSchema.prefault({}) })
  .transform((s): StrategyConfig => ({ kind: 'rolling', rolling: s.rolling }));
