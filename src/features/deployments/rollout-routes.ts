import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errorResponses } from '../../server/error-schema.js';
import type { ZodApp } from '../../server/zod-app.js';
import type { AnalysisRunStore } from '../analysis/analysis-run-store.js';
import type { InstanceRuntime } from '../instances/instance-runtime.js';
import type { InstanceStore } from '../instances/instance-store.js';
import type { ListenerFigures, Track } from '../routing/traffic-router.js';
import type { DeploymentController } from './deployment-controller.js';
import type { DeploymentService, Target } from './deployment-service.js';
import type { DeploymentStore } from './deployment-store.js';
import { rolloutActions, type RolloutService } from './rollout-service.js';
import {
  analysisRunViewSchema,
  rolloutMeasurementLimit,
  rolloutViewSchema,
  toAnalysisRunView,
  toRolloutView,
  type AnalysisRunView,
  type RolloutView,
  type TrackStats,
} from './rollout-view.js';
import { isBaselineInstance } from './domain/rollout-steps.js';

/** The router's live numbers per track, and of mirroring, of a service/environment. */
export type TrackMetrics = (
  service: string,
  environment: string,
) => ListenerFigures | Promise<ListenerFigures>;

export interface RolloutRouteDeps {
  readonly deployments: DeploymentService;
  readonly store: DeploymentStore;
  readonly rollouts: RolloutService;
  readonly controller: DeploymentController;
  readonly instances: InstanceStore;
  readonly runtime: InstanceRuntime;
  readonly metrics: TrackMetrics;
  readonly actorOf: (request: FastifyRequest) => string;
  /**
   * Where analysis runs are recorded. With it, the rollout view lists the deployment's runs and
   * `GET /deployments/:id/analysis` is served; without it, neither.
   */
  readonly analysisRuns?: AnalysisRunStore;
}

const params = z.object({ service: z.string(), environment: z.string() });

/** `ferry rollout get|promote|abort|retry|pause|resume`, and a deployment's analysis runs. */
export function rolloutRoutes(app: ZodApp, deps: RolloutRouteDeps) {
  const analysisOf = async (
    store: AnalysisRunStore,
    deploymentId: string,
    limit?: number,
  ): Promise<AnalysisRunView[]> => {
    const runs = await store.listRuns(deploymentId);
    return Promise.all(
      runs.map(async (run) => toAnalysisRunView(run, await store.listMeasurements(run.id), limit)),
    );
  };

  const view = async (target: Target): Promise<RolloutView> => {
    await deps.deployments.list(target, 1); // 404 for an unknown service or environment
    const latest = (await deps.store.list(target, 1))[0];
    const previous = latest?.previousId ? await deps.store.get(latest.previousId) : undefined;
    const routing = latest ? deps.controller.routingOf(latest) : undefined;
    const live = await deps.instances.listLive(target);
    const figures = await deps.metrics(target.service, target.environment);
    const numbers = figures.tracks;
    // Baseline instances run the stable artifact but were started for the newest deployment.
    const isBaseline = (i: { deploymentId: string; artifactDigest: string }) =>
      previous !== undefined &&
      latest !== undefined &&
      isBaselineInstance(i, latest.id, previous.artifactDigest);
    const track = (name: string, version: string, digest: string): TrackStats => {
      const mine = live.filter(
        (i) =>
          i.artifactDigest === digest &&
          i.intent !== 'draining' &&
          isBaseline(i) === (name === 'baseline'),
      );
      const m = numbers[name as Track];
      const same = m?.version === version;
      return {
        track: name,
        version,
        ready: mine.filter((i) => deps.runtime.get(i.id)?.phase === 'ready').length,
        total: mine.length,
        requests: same ? m.requests : null,
        errors5xx: same ? m.errors5xx : null,
        p50Ms: same ? m.p50Ms : null,
        p95Ms: same ? m.p95Ms : null,
        p99Ms: same ? m.p99Ms : null,
        headerMatches: same ? m.headerMatches : null,
        cookieMatches: same ? m.cookieMatches : null,
      };
    };
    const tracks: TrackStats[] = [];
    if (latest && routing && previous) {
      tracks.push(track('stable', previous.version, previous.artifactDigest));
      tracks.push(track('canary', latest.version, latest.artifactDigest));
      const strategy = latest.spec.strategy;
      if (strategy.kind === 'canary' && strategy.canary.baseline) {
        tracks.push(track('baseline', previous.version, previous.artifactDigest));
      }
    } else if (latest) {
      tracks.push(track('stable', latest.version, latest.artifactDigest));
    }
    const store = deps.analysisRuns;
    const analysis =
      store === undefined
        ? undefined
        : latest
          ? await analysisOf(store, latest.id, rolloutMeasurementLimit)
          : [];
    return toRolloutView(target, latest, routing, tracks, figures.mirror, analysis);
  };

  app.get(
    '/api/v1/rollouts/:service/:environment',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['rollouts'],
        summary: 'Steps, current step, traffic split, live per-track numbers and analysis runs',
        params,
        response: { 200: rolloutViewSchema, ...errorResponses },
      },
    },
    async (request) => view(request.params),
  );

  app.post(
    '/api/v1/rollouts/:service/:environment/:action',
    {
      config: { permission: 'rollout' },
      schema: {
        tags: ['rollouts'],
        summary: 'promote (optionally full), abort, retry, pause or resume the newest rollout',
        params: params.extend({ action: z.enum(rolloutActions) }),
        body: z
          .object({ full: z.boolean().default(false) })
          .strict()
          .optional(),
        response: { 200: rolloutViewSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { service, environment, action } = request.params;
      await deps.deployments.list({ service, environment }, 1);
      await deps.rollouts.act(
        { service, environment },
        action,
        deps.actorOf(request),
        request.body?.full,
      );
      return view({ service, environment });
    },
  );

  const analysisRuns = deps.analysisRuns;
  if (analysisRuns === undefined) return;
  app.get(
    '/api/v1/deployments/:id/analysis',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['deployments'],
        summary: 'Analysis runs of a deployment, oldest first, with every measurement',
        params: z.object({ id: z.string() }),
        response: {
          200: z
            .object({ runs: z.array(analysisRunViewSchema) })
            .meta({ id: 'DeploymentAnalysis' }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { id } = await deps.deployments.get(request.params.id); // 404 for an unknown id
      return { runs: await analysisOf(analysisRuns, id) };
    },
  );
}
