import { z } from 'zod';
import { countSchema, durationSchema } from './config-primitives.js';
import { expecting } from './describe-value.js';
import type { ProbeConfig } from './ferry-config.js';

const pathError = expecting('an HTTP path such as /healthz');

/**
 * One HTTP health probe. Every field has a default, so `readiness: {}` (or no `health` at all)
 * probes `/healthz` every second.
 */
export const probeSchema = z
  .strictObject({
    path: z.string({ error: pathError }).startsWith('/', { error: pathError }).default('/healthz'),
    interval: durationSchema.prefault('1s'),
    timeout: durationSchema.prefault('2s'),
    successThreshold: countSchema(1).default(1),
    failureThreshold: countSchema(1).default(3),
    initialDelay: durationSchema.prefault('0s'),
  })
  .transform((probe): ProbeConfig => ({
    path: probe.path,
    intervalMs: probe.interval,
    timeoutMs: probe.timeout,
    successThreshold: probe.successThreshold,
    failureThreshold: probe.failureThreshold,
    initialDelayMs: probe.initialDelay,
  }));
