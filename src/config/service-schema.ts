import { z } from 'zod';
import { countSchema, durationSchema } from './config-primitives.js';
import { databaseSchema } from './database-schema.js';
import { expecting, expectingMap } from './describe-value.js';
import { formatDuration } from './duration.js';
import type { HealthConfig, ServiceConfig } from './ferry-config.js';
import { inconclusiveSchema } from './inconclusive-schema.js';
import { listenAddressSchema } from './listen-address.js';
import { runtimeSchema } from './local-runtime-schema.js';
import { notificationsSchema } from './notifications-schema.js';
import { probeSchema } from './probe-schema.js';
import {
  analysisTemplatesSchema,
  progressDeadlineSchema,
  serviceOverridesSchema,
} from './service-overrides-schema.js';
import { smokeSchema } from './smoke-schema.js';
import { strategySchema } from './strategy-schema.js';

const healthSchema = z
  .strictObject({ readiness: probeSchema.prefault({}), liveness: probeSchema.optional() })
  .transform((health): HealthConfig => ({
    readiness: health.readiness,
    ...(health.liveness ? { liveness: health.liveness } : {}),
  }));

/** The most revisions `rollbackWindow` may reach back: beyond that, history is not kept anyway. */
export const maxRollbackWindow = 100;

/**
 * `rollbackWindow`: a rollback to one of the last `revisions` versions that were live skips the
 * strategy's steps and analysis (as Argo Rollouts' `rollbackWindow.revisions`). 0 never does.
 */
const rollbackWindowSchema = z
  .strictObject(
    {
      revisions: countSchema(0, `an integer from 0 to ${maxRollbackWindow}`)
        .max(maxRollbackWindow, {
          error: expecting(`an integer from 0 to ${maxRollbackWindow}`),
        })
        .default(3),
    },
    { error: expectingMap('a map such as { revisions: 3 }') },
  )
  .transform((window) => window.revisions);

/** Tunnels to a draining instance get this long when `drain.websockets` is not set (or less). */
export const defaultWebsocketDrainMs = 10_000;

/** `drain`: how draining instances treat long-lived connections. */
const drainSchema = z.strictObject(
  { websockets: durationSchema.optional() },
  { error: expectingMap('a map such as { websockets: 10s }') },
);

/**
 * One entry of `services`. The name comes from the map key, so the schema resolves everything
 * but `name`; the config schema adds it.
 */
export const serviceSchema = z
  .strictObject({
    replicas: countSchema(1).optional(),
    runtime: runtimeSchema,
    // Environment names are checked against `environments` by the cross-field checks.
    routes: z.record(z.string(), listenAddressSchema).default({}),
    health: healthSchema.prefault({}),
    strategy: strategySchema.prefault({}),
    drainTimeout: durationSchema.prefault('30s'),
    drain: drainSchema.prefault({}),
    progressDeadline: progressDeadlineSchema.prefault('10m'),
    rollbackWindow: rollbackWindowSchema.prefault({}),
    // Template names are checked against their uses by the cross-field checks.
    analysis: analysisTemplatesSchema.default({}),
    smoke: smokeSchema,
    inconclusive: inconclusiveSchema.prefault({}),
    notifications: notificationsSchema.prefault({}),
    // Environment names and what each override's strategy needs: the cross-field checks.
    overrides: serviceOverridesSchema,
    database: databaseSchema.optional(),
  })
  .superRefine(({ drain, drainTimeout, replicas, runtime }, ctx) => {
    if (replicas !== undefined && runtime.deprecatedReplicas !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message:
          'replicas is written both here and at the service level; remove this one ' +
          '(runtime.local.replicas is deprecated)',
        input: runtime.deprecatedReplicas,
        path: ['runtime', 'local', 'replicas'],
      });
    }
    if (drain.websockets !== undefined && drain.websockets > drainTimeout) {
      ctx.addIssue({
        code: 'custom',
        message:
          `${formatDuration(drain.websockets)} is longer than drainTimeout ` +
          `(${formatDuration(drainTimeout)}), which closes every connection anyway; ` +
          'shorten it or lengthen drainTimeout',
        input: drain.websockets,
        path: ['drain', 'websockets'],
      });
    }
  })
  .transform((service): Omit<ServiceConfig, 'name'> => ({
    replicas: service.replicas ?? service.runtime.deprecatedReplicas ?? 1,
    runtime: service.runtime.runtime,
    routes: service.routes,
    health: service.health,
    strategy: service.strategy,
    drainTimeoutMs: service.drainTimeout,
    websocketDrainMs:
      service.drain.websockets ?? Math.min(defaultWebsocketDrainMs, service.drainTimeout),
    progressDeadlineMs: service.progressDeadline,
    rollbackWindow: service.rollbackWindow,
    analysis: service.analysis,
    smoke: service.smoke,
    inconclusive: service.inconclusive,
    notifications: service.notifications,
    overrides: service.overrides,
    ...(service.database ? { database: service.database } : {}),
  }));
