import { z } from 'zod';
import { analysisRefSchema } from './analysis-ref-schema.js';
import { durationSchema } from './config-primitives.js';
import { prePromotionStepSchema } from './canary-step-schema.js';
import { expecting } from './describe-value.js';
import type { BlueGreenConfig } from './ferry-config.js';
import { listenAddressSchema } from './listen-address.js';

/**
 * `strategy.blueGreen`: start the new set beside the old one, then switch all traffic at once.
 * Preview-route environments and ports are checked with the routes in `check-routes.ts`.
 */
export const blueGreenSchema = z
  .strictObject({
    previewRoutes: z.record(z.string(), listenAddressSchema).default({}),
    autoPromotion: durationSchema.optional(),
    scaleDownDelay: durationSchema.prefault('30s'),
    prePromotionSteps: z
      .array(prePromotionStepSchema, {
        error: expecting('a list of steps such as - pause: { duration: 5s }'),
      })
      .default([]),
    prePromotionAnalysis: analysisRefSchema.optional(),
    postPromotionAnalysis: analysisRefSchema.optional(),
  })
  .transform((blueGreen): BlueGreenConfig => ({
    previewRoutes: blueGreen.previewRoutes,
    autoPromotionMs: blueGreen.autoPromotion ?? null,
    scaleDownDelayMs: blueGreen.scaleDownDelay,
    prePromotionSteps: blueGreen.prePromotionSteps,
    prePromotionAnalysis: blueGreen.prePromotionAnalysis ?? null,
    postPromotionAnalysis: blueGreen.postPromotionAnalysis ?? null,
  }));
