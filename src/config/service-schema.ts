import { z } from 'zod';
import { analysisLabelSchema, analysisTemplateSchema } from './analysis-template-schema.js';
import { durationSchema } from './config-primitives.js';
import { expecting } from './describe-value.js';
import type { HealthConfig, ServiceConfig } from './ferry-config.js';
import { inconclusiveSchema } from './inconclusive-schema.js';
import { listenAddressSchema } from './listen-address.js';
import { localRuntimeSchema } from './local-runtime-schema.js';
import { notificationsSchema } from './notifications-schema.js';
import { probeSchema } from './probe-schema.js';
import { smokeSchema } from './smoke-schema.js';
import { strategySchema } from './strategy-schema.js';

const healthSchema = z
  .strictObject({ readiness: probeSchema.prefault({}), liveness: probeSchema.optional() })
  .transform((health): HealthConfig => ({
    readiness: health.readiness,
    ...(health.liveness ? { liveness: health.liveness } : {}),
  }));

/**
 * One entry of `services`. The name comes from the map key, so the schema resolves everything
 * but `name`; the config schema adds it.
 */
export const serviceSchema = z
  .strictObject({
    runtime: z.strictObject({ local: localRuntimeSchema }),
    // Environment names are checked against `environments` by the cross-field checks.
    routes: z.record(z.string(), listenAddressSchema).default({}),
    health: healthSchema.prefault({}),
    strategy: strategySchema.prefault({}),
    drainTimeout: durationSchema.prefault('30s'),
    progressDeadline: durationSchema.prefault('10m'),
    // Template names are checked against their uses by the cross-field checks.
    analysis: z
      .record(analysisLabelSchema('errors'), analysisTemplateSchema, {
        error: expecting('a map of analysis templates such as errors: { metrics: [...] }'),
      })
      .default({}),
    smoke: smokeSchema,
    inconclusive: inconclusiveSchema.prefault({}),
    notifications: notificationsSchema.prefault({}),
  })
  .transform((service): Omit<ServiceConfig, 'name'> => ({
    runtime: service.runtime,
    routes: service.routes,
    health: service.health,
    strategy: service.strategy,
    drainTimeoutMs: service.drainTimeout,
    progressDeadlineMs: service.progressDeadline,
    analysis: service.analysis,
    smoke: service.smoke,
    inconclusive: service.inconclusive,
    notifications: service.notifications,
  }));
