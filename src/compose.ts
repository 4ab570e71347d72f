import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { FerryConfig } from './config/ferry-config.js';
import { artifactRoutes } from './features/artifacts/artifact-routes.js';
import { ArtifactService } from './features/artifacts/artifact-service.js';
import { BlobStore } from './features/artifacts/blob-store.js';
import { KyselyArtifactStore } from './features/artifacts/kysely-artifact-store.js';
import { DeploymentController } from './features/deployments/deployment-controller.js';
import { deploymentRoutes } from './features/deployments/deployment-routes.js';
import { DeploymentService } from './features/deployments/deployment-service.js';
import { KyselyDeploymentStore } from './features/deployments/kysely-deployment-store.js';
import { KyselyStopStore } from './features/deployments/kysely-stop-store.js';
import { rolloutRoutes } from './features/deployments/rollout-routes.js';
import { RolloutService } from './features/deployments/rollout-service.js';
import { EventLog } from './features/events/event-log.js';
import { eventRoutes } from './features/events/event-routes.js';
import { KyselyEventStore } from './features/events/kysely-event-store.js';
import type { InstanceRuntime } from './features/instances/instance-runtime.js';
import { instanceRoutes } from './features/instances/instance-routes.js';
import { KyselyInstanceStore } from './features/instances/kysely-instance-store.js';
import type { TrafficRouter } from './features/routing/traffic-router.js';
import { WebhookNotifier } from './features/notifications/webhook-notifier.js';
import { serviceRoutes } from './features/services/service-routes.js';
import { buildApi } from './server/build-api.js';
import { authHook } from './features/auth/auth-hook.js';
import { FailureLimiter } from './features/auth/domain/failure-limiter.js';
import { KyselyTokenStore } from './features/auth/kysely-token-store.js';
import { tokenRoutes } from './features/auth/token-routes.js';
import { TokenService } from './features/auth/token-service.js';
import { createProviders } from './analysis/create-providers.js';
import { AnalysisRunner } from './features/analysis/analysis-runner.js';
import { JudgeRunner } from './features/analysis/judge-runner.js';
import { KyselyAnalysisRunStore } from './features/analysis/kysely-analysis-run-store.js';
import { systemScheduler, type Scheduler } from './features/analysis/scheduler.js';
import { RolloutAnalysis } from './features/deployments/rollout-analysis.js';
import { KyselyLeaseStore } from './features/leases/kysely-lease-store.js';
import { LeaseLock } from './features/leases/lease-lock.js';
import { randomLeaseOwner } from './features/leases/lease-owner.js';
import { analysisExecutor } from './features/gates/analysis-executor.js';
import { judgeExecutor } from './features/gates/judge-executor.js';
import { manualExecutor } from './features/gates/manual-executor.js';
import { SmokeChecks } from './features/deployments/smoke-checks.js';
import { noFigures, type ListenerFiguresOf } from './features/routing/traffic-router.js';
import type { TrafficSampler } from './features/routing/traffic-samples.js';
import type { ZodApp } from './server/zod-app.js';
import type { Clock } from './shared/clock.js';
import type { Database } from './store/schema.js';

export interface FerryParts {
  readonly config: FerryConfig;
  readonly dataDir: string;
  readonly db: Kysely<Database>;
  readonly runtime: InstanceRuntime;
  readonly router: TrafficRouter;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Served as Prometheus text at `/metrics`. */
  readonly registry?: Registry;
  /** The router's counters per track and of mirroring: builtin analysis metrics and `ferry rollout get`. */
  readonly routeFigures?: ListenerFiguresOf;
  /** The router's raw samples, for the canary judge; without it `judge` steps cannot run. */
  readonly sampler?: TrafficSampler;
  /** Time for analysis; the wall clock by default. */
  readonly scheduler?: Scheduler;
  /**
   * Whether every API call needs a bearer token (see `tokenRequired`); without, tokenless calls
   * pass and sent tokens are still checked. Default false.
   */
  readonly tokenRequired?: boolean;
  /**
   * This server's id in the scope leases it holds (see `dataFolderLeaseOwner`); a random one per
   * composition by default.
   */
  readonly leaseOwner?: string;
}

export interface Ferry {
  readonly api: ZodApp;
  readonly controller: DeploymentController;
  readonly events: EventLog;
  readonly deployments: DeploymentService;
  readonly tokens: TokenService;
  /** Re-adopts instances and starts the controller. */
  start(): Promise<void>;
  /**
   * Stops the API and the controller, closes the routers and releases the scope leases;
   * instances keep running.
   */
  close(): Promise<void>;
}

/**
 * The composition root: the one place that wires stores, services, the controller and the API
 * from their parts. Tests pass other parts (a manual clock, a fake runtime) to the same graph.
 */
export async function composeFerry(parts: FerryParts): Promise<Ferry> {
  const { config, db, runtime, router, clock, logger } = parts;
  const actor = () => 'user:local';
  const events = new EventLog(new KyselyEventStore(db), clock);
  const artifacts: ArtifactService = new ArtifactService(
    new KyselyArtifactStore(db),
    new BlobStore(join(parts.dataDir, 'artifacts')),
    events,
    clock,
    config,
    (target, digest): Promise<void> =>
      runtime.verifyRelease?.({ ...target, artifactDigest: digest }) ?? Promise.resolve(),
  );
  const tokens = new TokenService(new KyselyTokenStore(db), events, clock);
  // Ten failed tokens a minute per address; enough for typos, far too few for guessing.
  const failures = new FailureLimiter(clock, { maxFailures: 10, windowMs: 60_000 });
  const deploymentStore = new KyselyDeploymentStore(db);
  const instanceStore = new KyselyInstanceStore(db);
  const stops = new KyselyStopStore(db);
  const analysisRuns = new KyselyAnalysisRunStore(db);
  const routeFigures: ListenerFiguresOf = parts.routeFigures ?? (() => noFigures);
  const scheduler = parts.scheduler ?? { ...systemScheduler, clock };
  // Only the server holding a service/environment's lease advances it (docs/architecture.md).
  const locks = new LeaseLock({
    store: new KyselyLeaseStore(db),
    owner: parts.leaseOwner ?? randomLeaseOwner(),
    scheduler,
  });
  const analysisLogger = logger.child({ component: 'analysis' });
  // A run that ends by itself wakes the controller, which reads the verdict from the store.
  const onFinished = (runId: string) => {
    rolloutAnalysis.finished(runId);
    void recordVerdict(runId)
      .catch((error: unknown) => onError(error, runId))
      .finally(() => controller.wake());
  };
  /** Each verdict goes into the event log too, for the deployment's timeline. */
  const recordVerdict = async (runId: string) => {
    const run = await analysisRuns.getRun(runId);
    if (!run) return;
    await events.append({
      actor: 'analysis',
      kind: 'analysis.finished',
      subject: `deployment/${run.deploymentId}`,
      payload: { run: run.id, name: run.name, phase: run.phase, message: run.message },
    });
  };
  const onError = (error: unknown, runId: string) =>
    analysisLogger.error({ err: error, runId }, 'analysis run failed');
  const runner = new AnalysisRunner({
    store: analysisRuns,
    provider: createProviders({
      routeFigures,
    }),
    scheduler,
    onFinished,
    onError,
  });
  const judges = parts.sampler
    ? new JudgeRunner({
        store: analysisRuns,
        sampler: parts.sampler,
        scheduler,
        onFinished,
        onError,
      })
    : undefined;
  const manualGates = manualExecutor({ store: analysisRuns, scheduler, onFinished, onError });
  const rolloutAnalysis: RolloutAnalysis = new RolloutAnalysis({
    store: analysisRuns,
    executors: {
      analysis: analysisExecutor(runner),
      ...(judges ? { judge: judgeExecutor(judges) } : {}),
      manual: manualGates,
    },
    clock,
  });
  const smoke = new SmokeChecks({
    onSettled: (instanceId, status) => {
      const settled =
        status.state === 'failed'
          ? controller.onSmokeFailed(instanceId, status.message)
          : controller.onSmokePassed(instanceId);
      settled.catch((error: unknown) =>
        logger.error({ err: error, instanceId }, 'acting on smoke checks failed'),
      );
    },
  });
  const controller: DeploymentController = new DeploymentController({
    analysis: rolloutAnalysis,
    smoke,
    locks,
    deployments: deploymentStore,
    instances: instanceStore,
    stops,
    runtime,
    router,
    events,
    clock,
    logger: logger.child({ component: 'controller' }),
  });
  const deployments = new DeploymentService(
    config,
    deploymentStore,
    stops,
    artifacts,
    events,
    clock,
    locks,
    () => controller.wake(),
  );
  const notifier = new WebhookNotifier(config, events, logger.child({ component: 'notifier' }));
  const rollouts = new RolloutService(
    deploymentStore,
    controller,
    events,
    clock,
    locks,
    stops,
    rolloutAnalysis,
  );
  let ready = false;
  const api = await buildApi({
    logger,
    registry: parts.registry,
    isReady: () => ready,
    authenticate: authHook({ tokens, limiter: failures, required: parts.tokenRequired ?? false }),
    register: (app) => {
      serviceRoutes(app, config, deployments, instanceStore, runtime);
      artifactRoutes(app, artifacts, actor);
      deploymentRoutes(app, deployments, actor, (target) => controller.halt(target));
      rolloutRoutes(app, {
        deployments,
        store: deploymentStore,
        rollouts,
        controller,
        instances: instanceStore,
        runtime,
        metrics: (service, environment) => routeFigures(service, environment),
        analysisRuns,
        actorOf: actor,
      });
      instanceRoutes(app, instanceStore, runtime);
      eventRoutes(app, events);
      tokenRoutes(app, tokens);
    },
  });
  return {
    api,
    controller,
    events,
    deployments,
    tokens,
    async start() {
      notifier.start();
      await controller.start();
      ready = true;
    },
    async close() {
      ready = false;
      await api.close();
      await controller.stop();
      await rolloutAnalysis.close();
      await smoke.settle();
      await runner.settle();
      await judges?.close();
      await judges?.settle();
      await manualGates.close();
      await notifier.stop();
      await runtime.detach();
      await router.close();
      await locks.close();
      await db.destroy();
    },
  };
}
