import { z } from 'zod';
import {
  windowEffects,
  type DeploymentWindow,
} from '../features/windows/domain/deployment-window.js';
import { durationSchema, nameSchema } from './config-primitives.js';
import { expecting, expectingMap } from './describe-value.js';

const instantText = 'an ISO-8601 time with its zone, such as 2026-12-20T00:00:00Z';
const instantError = expecting(instantText);

/** A time with an explicit zone (`Z` or `±hh:mm`): a freeze must not move with the server's zone. */
const instantSchema = z
  .string({ error: instantError })
  .regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/, { error: instantError })
  .refine((text) => !Number.isNaN(Date.parse(text)), { error: instantError });

// The cron expression and the zone are checked by `check-windows.ts`, with the other window rules.
const recurringSchema = z.strictObject(
  {
    cron: z.string({ error: expecting('a cron expression such as "0 18 * * 5"') }),
    duration: durationSchema,
    timeZone: z
      .string({ error: expecting('an IANA time zone such as Europe/Berlin') })
      .default('UTC'),
  },
  {
    error: expectingMap(
      'a map such as { cron: "0 18 * * 5", duration: 62h, timeZone: Europe/Berlin }',
    ),
  },
);

const betweenSchema = z.strictObject(
  { from: instantSchema, to: instantSchema },
  { error: expectingMap('a map such as { from: 2026-12-20T00:00:00Z, to: 2027-01-04T00:00:00Z }') },
);

/** One entry of `windows:`; exactly one of `recurring` and `between` is checked by `check-windows.ts`. */
const windowSchema = z.strictObject(
  {
    name: nameSchema,
    environments: z
      .array(nameSchema, { error: expecting('a list of environments such as [prod]') })
      .min(1, { error: 'list at least one environment, or leave environments out for all' })
      .optional(),
    effect: z.enum(windowEffects, { error: expecting(`one of ${windowEffects.join(', ')}`) }),
    recurring: recurringSchema.optional(),
    between: betweenSchema.optional(),
  },
  { error: expectingMap('a map with name, effect and recurring or between') },
);

/** `windows:` in ferry.yaml, resolved: times in epoch milliseconds, durations in milliseconds. */
export const windowsSchema = z
  .array(windowSchema, { error: expecting('a list of windows') })
  .default([])
  .transform((windows) =>
    windows.map((window): DeploymentWindow => ({
      name: window.name,
      environments: window.environments ?? 'all',
      effect: window.effect,
      schedule: window.recurring
        ? {
            kind: 'recurring',
            cron: window.recurring.cron,
            durationMs: window.recurring.duration,
            timeZone: window.recurring.timeZone,
          }
        : {
            kind: 'between',
            fromMs: Date.parse(window.between?.from ?? ''),
            toMs: Date.parse(window.between?.to ?? ''),
          },
    })),
  );
