import { z } from 'zod';
import type { Deployment } from './domain/deployment.js';
import { describeStep } from './domain/describe-step.js';
import type { RolloutRouting } from './domain/rollout-plan.js';
import { deploymentSchema, toDeploymentView } from './deployment-schemas.js';

export const trackStatsSchema = z.object({
  track: z.string(),
  version: z.string(),
  ready: z.number(),
  total: z.number(),
  requests: z.number().nullable(),
  errors5xx: z.number().nullable(),
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
  p99Ms: z.number().nullable(),
});
export type TrackStats = z.infer<typeof trackStatsSchema>;

export const rolloutViewSchema = z
  .object({
    service: z.string(),
    environment: z.string(),
    deployment: deploymentSchema.nullable(),
    strategy: z.enum(['rolling', 'canary', 'blueGreen']),
    steps: z.array(
      z.object({
        index: z.number(),
        text: z.string(),
        state: z.enum(['done', 'current', 'pending']),
      }),
    ),
    traffic: z
      .object({
        canaryWeight: z.number(),
        matches: z.array(z.string()),
        mirrorPercent: z.number(),
        active: z.enum(['stable', 'canary']).nullable(),
        preview: z.boolean(),
      })
      .nullable(),
    tracks: z.array(trackStatsSchema),
  })
  .meta({ id: 'Rollout' });
export type RolloutView = z.infer<typeof rolloutViewSchema>;

/** What `ferry rollout get` shows: steps, where the rollout is, the split, each track's numbers. */
export function toRolloutView(
  target: { service: string; environment: string },
  latest: Deployment | undefined,
  routing: RolloutRouting | undefined,
  tracks: TrackStats[],
): RolloutView {
  const strategy = latest?.spec.strategy;
  const steps =
    strategy?.kind === 'canary'
      ? strategy.canary.steps
      : strategy?.kind === 'blueGreen'
        ? strategy.blueGreen.prePromotionSteps
        : [];
  const index = latest?.rollout?.full ? steps.length : (latest?.rollout?.stepIndex ?? steps.length);
  return {
    ...target,
    deployment: latest ? toDeploymentView(latest) : null,
    strategy: strategy?.kind ?? 'rolling',
    steps: steps.map((step, i) => ({
      index: i,
      text: describeStep(step),
      state: i < index ? 'done' : i === index && latest?.rollout ? 'current' : 'pending',
    })),
    traffic: routing
      ? routing.kind === 'canary'
        ? {
            canaryWeight: routing.traffic.weight,
            matches: routing.traffic.matches.map(
              (m) => `${m.source} ${m.name} ${m.kind} "${m.value}"`,
            ),
            mirrorPercent: routing.traffic.mirrorPercent,
            active: null,
            preview: false,
          }
        : {
            canaryWeight: 0,
            matches: [],
            mirrorPercent: 0,
            active: routing.active,
            preview: routing.preview,
          }
      : null,
    tracks,
  };
}
