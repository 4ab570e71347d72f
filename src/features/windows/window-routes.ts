import { z } from 'zod';
import type { FerryConfig } from '../../config/ferry-config.js';
import type { Clock } from '../../shared/clock.js';
import type { ZodApp } from '../../server/zod-app.js';
import { occurrenceAt } from './domain/active-windows.js';
import { timeZoneOf, windowEffects, type DeploymentWindow } from './domain/deployment-window.js';

const windowViewSchema = z
  .object({
    name: z.string(),
    /** Null when it holds for every environment. */
    environments: z.array(z.string()).nullable(),
    effect: z.enum(windowEffects),
    recurring: z
      .object({ cron: z.string(), durationMs: z.number(), timeZone: z.string() })
      .nullable(),
    between: z.object({ from: z.string(), to: z.string() }).nullable(),
    /** In force now. */
    active: z.boolean(),
    /** When the occurrence in force now ends (ISO-8601 UTC); null when not in force. */
    endsAt: z.string().nullable(),
    timeZone: z.string(),
  })
  .meta({ id: 'DeploymentWindow' });

type WindowView = z.infer<typeof windowViewSchema>;

/** `GET /api/v1/windows`: every deployment window in ferry.yaml, and whether it is in force now. */
export function windowRoutes(app: ZodApp, config: () => FerryConfig, clock: Clock) {
  app.get(
    '/api/v1/windows',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['windows'],
        summary:
          'Deployment windows and freezes, each with whether it is in force now and until when',
        response: { 200: z.object({ windows: z.array(windowViewSchema) }) },
      },
    },
    async () => {
      const now = clock.now();
      return { windows: config().windows.map((window) => toWindowView(window, now)) };
    },
  );
}

function toWindowView(window: DeploymentWindow, now: number): WindowView {
  const occurrence = occurrenceAt(window, now);
  const schedule = window.schedule;
  return {
    name: window.name,
    environments: window.environments === 'all' ? null : [...window.environments],
    effect: window.effect,
    recurring:
      schedule.kind === 'recurring'
        ? { cron: schedule.cron, durationMs: schedule.durationMs, timeZone: schedule.timeZone }
        : null,
    between:
      schedule.kind === 'between'
        ? {
            from: new Date(schedule.fromMs).toISOString(),
            to: new Date(schedule.toMs).toISOString(),
          }
        : null,
    active: occurrence !== undefined,
    endsAt: occurrence ? new Date(occurrence.endsAt).toISOString() : null,
    timeZone: timeZoneOf(window),
  };
}
