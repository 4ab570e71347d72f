import { z } from 'zod';
import { durationSchema } from './config-primitives.js';
import { expecting, expectingMap } from './describe-value.js';
import type { RouterConfig } from './ferry-config.js';
import { subnetSchema } from './subnet.js';

const positive = (what: string) =>
  durationSchema.refine((ms) => ms > 0, { error: `${what} must be above 0, e.g. 10s` });

/** `router`: settings of Ferry's built-in router, the same for every route. */
export const routerSchema = z
  .strictObject(
    {
      timeouts: z
        .strictObject(
          {
            headers: positive('router.timeouts.headers').default(10_000),
            idle: positive('router.timeouts.idle').default(60_000),
          },
          { error: expectingMap('a map such as { headers: 10s, idle: 60s }') },
        )
        .prefault({}),
      trustedProxies: z
        .array(subnetSchema, { error: expecting('a list of CIDRs such as [10.0.0.0/8, ::1/128]') })
        .default([]),
      workers: z
        .union([z.literal('auto'), z.number().int().min(1).max(64)], {
          error: expecting('a whole number of router processes from 1 to 64, or auto'),
        })
        .default(1),
    },
    {
      error: expectingMap(
        'a map such as { timeouts: { headers: 10s, idle: 60s }, trustedProxies: [10.0.0.0/8], workers: 2 }',
      ),
    },
  )
  .transform((raw): RouterConfig => ({
    timeouts: { headersMs: raw.timeouts.headers, idleMs: raw.timeouts.idle },
    trustedProxies: raw.trustedProxies,
    workers: raw.workers,
  }));
