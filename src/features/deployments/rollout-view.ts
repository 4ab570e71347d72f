import { z } from 'zod';
import type { AnalysisRun, StoredMeasurement } from '../analysis/analysis-run.js';
import { measurementPhases, runPhases } from '../analysis/domain/measurement.js';
import { summarizeRun } from '../analysis/summarize-run.js';
import type { Deployment } from './domain/deployment.js';
import { describeStep } from './domain/describe-step.js';
import type { RolloutRouting } from './domain/rollout-plan.js';
import type { MirrorFigures } from '../routing/traffic-router.js';
import { deploymentSchema, toDeploymentView } from './deployment-schemas.js';
import { rolloutSteps } from './domain/rollout-steps.js';

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
  headerMatches: z
    .number()
    .nullable()
    .describe(
      'Requests of this version a canary header match routed here, since the router started',
    ),
  cookieMatches: z
    .number()
    .nullable()
    .describe(
      'Requests of this version a canary cookie match routed here, since the router started',
    ),
});
export type TrackStats = z.infer<typeof trackStatsSchema>;

/** Measurements per metric that `GET /rollouts/...` keeps: the last ones, oldest first. */
export const rolloutMeasurementLimit = 100;

export const analysisMeasurementSchema = z
  .object({
    at: z.string().describe('When it was taken, ISO-8601 UTC'),
    step: z.number().nullable().describe('0-based rollout step it was taken at; null outside one'),
    phase: z.enum(measurementPhases),
    value: z
      .unknown()
      .describe("The provider's value: a number, a JSON document, or null when there was none"),
    sampleSize: z.number().nullable(),
    message: z.string().nullable().describe('Why it was judged so, for failures and errors'),
  })
  .meta({ id: 'AnalysisMeasurement' });

export const analysisMetricSchema = z
  .object({
    name: z.string().describe('`template/metric`, e.g. `errors/error-rate`'),
    phase: z.enum(runPhases),
    dryRun: z.boolean().describe('Measured and shown, but never decides the run'),
    count: z
      .number()
      .describe('Measurements that count towards the template `count`: all but errors'),
    successful: z.number(),
    failed: z.number(),
    inconclusive: z.number(),
    error: z.number(),
    consecutiveError: z.number(),
    message: z.string().optional().describe('Why the metric ended, when it did'),
    measurements: z
      .array(analysisMeasurementSchema)
      .describe(
        `Oldest first. In the rollout view only the last ${rolloutMeasurementLimit}; ` +
          'GET /api/v1/deployments/{id}/analysis has them all. The tallies are not limited to these.',
      ),
  })
  .meta({ id: 'AnalysisMetric' });

export const analysisRunViewSchema = z
  .object({
    id: z.string(),
    name: z.string().describe('What the run is for: `step-3`, `background`, `pre-promotion`, ...'),
    phase: z
      .enum([...runPhases, 'Stopped'])
      .describe(
        'Stopped: ended without a verdict (the rollout moved on or was aborted, or Ferry restarted)',
      ),
    message: z.string().nullable(),
    startedAt: z.string().describe('ISO-8601 UTC'),
    finishedAt: z.string().nullable().describe('ISO-8601 UTC; null while it runs'),
    overriddenBy: z
      .string()
      .nullable()
      .describe('Who let the rollout go on past an Inconclusive verdict'),
    metrics: z.array(analysisMetricSchema).describe('In the order the templates list them'),
  })
  .meta({ id: 'AnalysisRun' });
export type AnalysisRunView = z.infer<typeof analysisRunViewSchema>;

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
        baselineWeight: z.number(),
        matches: z.array(z.string()),
        mirrorPercent: z.number(),
        active: z.enum(['stable', 'canary']).nullable(),
        preview: z.boolean(),
      })
      .nullable(),
    tracks: z.array(trackStatsSchema),
    mirror: z
      .object({
        sent: z.number().describe('Copies sent to a canary upstream'),
        skipped: z
          .number()
          .describe(
            'Requests picked for a copy that got none: body chunked or over 1 MiB, too many copies in flight, or the request failed first',
          ),
        failed: z.number().describe('Copies sent that got no answer: refused, reset or timed out'),
      })
      .describe('Mirrored copies of the route since the router started'),
    analysis: z
      .array(analysisRunViewSchema)
      .optional()
      .describe(
        'Analysis runs of the deployment, oldest first, each metric with its last ' +
          `${rolloutMeasurementLimit} measurements; absent when the server records no analysis`,
      ),
  })
  .meta({ id: 'Rollout' });
export type RolloutView = z.infer<typeof rolloutViewSchema>;

/**
 * What `ferry rollout get` shows: steps, where the rollout is, the split, each track's numbers,
 * what mirroring came to, and the deployment's analysis runs when the server records them.
 */
export function toRolloutView(
  target: { service: string; environment: string },
  latest: Deployment | undefined,
  routing: RolloutRouting | undefined,
  tracks: TrackStats[],
  mirror: MirrorFigures,
  analysis?: AnalysisRunView[],
): RolloutView {
  const strategy = latest?.spec.strategy;
  // A fast rollback walks no step: it has none to show.
  const steps = latest?.fastRollback ? [] : rolloutSteps(strategy);
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
            baselineWeight: routing.traffic.baselineWeight ?? 0,
            matches: routing.traffic.matches.map(
              (m) => `${m.source} ${m.name} ${m.kind} "${m.value}"`,
            ),
            mirrorPercent: routing.traffic.mirrorPercent,
            active: null,
            preview: false,
          }
        : {
            canaryWeight: 0,
            baselineWeight: 0,
            matches: [],
            mirrorPercent: 0,
            active: routing.active,
            preview: routing.preview,
          }
      : null,
    tracks,
    mirror: { sent: mirror.sent, skipped: mirror.skipped, failed: mirror.failed },
    ...(analysis === undefined ? {} : { analysis }),
  };
}

/**
 * A run with its per-metric tallies (`summarizeRun`) and, per metric, its measurements in the
 * order they were taken: all of them, or the last `limit`.
 */
export function toAnalysisRunView(
  run: AnalysisRun,
  measurements: readonly StoredMeasurement[],
  limit = Infinity,
): AnalysisRunView {
  return {
    id: run.id,
    name: run.name,
    phase: run.phase === 'Running' && run.finishedAt !== null ? 'Stopped' : run.phase,
    message: run.message,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    overriddenBy: run.overriddenBy,
    metrics: summarizeRun(run, measurements).map(({ metric, ...tally }) => ({
      name: metric,
      ...tally,
      measurements: measurements
        .filter((m) => m.metric === metric)
        .slice(-limit)
        .map((m) => ({
          at: m.at,
          step: m.step,
          phase: m.phase,
          value: m.value,
          sampleSize: m.sampleSize,
          message: m.message,
        })),
    })),
  };
}
