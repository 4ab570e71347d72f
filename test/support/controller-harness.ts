import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load-config.js';
import { AnalysisRunner } from '../../src/features/analysis/analysis-runner.js';
import { InMemoryAnalysisRunStore } from '../../src/features/analysis/in-memory-analysis-run-store.js';
import { ManualScheduler } from '../../src/features/analysis/manual-scheduler.js';
import { ArtifactService } from '../../src/features/artifacts/artifact-service.js';
import { BlobStore } from '../../src/features/artifacts/blob-store.js';
import { InMemoryArtifactStore } from '../../src/features/artifacts/in-memory-artifact-store.js';
import { tarGzOf } from '../../src/features/artifacts/test-tarballs.js';
import { DeploymentController } from '../../src/features/deployments/deployment-controller.js';
import { DeploymentService } from '../../src/features/deployments/deployment-service.js';
import type { Deployment } from '../../src/features/deployments/domain/deployment.js';
import { InMemoryDeploymentStore } from '../../src/features/deployments/in-memory-deployment-store.js';
import { InMemoryStopStore } from '../../src/features/deployments/in-memory-stop-store.js';
import { RolloutAnalysis } from '../../src/features/deployments/rollout-analysis.js';
import {
  RolloutService,
  type RolloutAction,
} from '../../src/features/deployments/rollout-service.js';
import { EventLog } from '../../src/features/events/event-log.js';
import { InMemoryEventStore } from '../../src/features/events/in-memory-event-store.js';
import { FakeInstanceRuntime } from '../../src/features/instances/fake-instance-runtime.js';
import { InMemoryInstanceStore } from '../../src/features/instances/in-memory-instance-store.js';
import type { StoredInstance } from '../../src/features/instances/instance.js';
import { FakeTrafficRouter } from '../../src/features/routing/fake-traffic-router.js';
import type { ListenerKind, RoutingTable } from '../../src/features/routing/traffic-router.js';
import { KeyedQueue } from '../../src/shared/keyed-queue.js';
import { capturedLogger } from './captured-logger.js';
import { analysisExecutor } from '../../src/features/gates/analysis-executor.js';
import { ProcessLife, type KillPoint } from './process-life.js';
import { ScriptedMetrics } from './scripted-metrics.js';
import { ScriptedSmokeChecks } from './scripted-smoke-checks.js';
import { splitOf } from './routing-split.js';
import { delay, flush } from './turns.js';

export { splitOf };

/** The one service and environment every harness deploys. */
export const scope = { service: 'web', environment: 'prod' } as const;
const user = 'user:test';

export interface HarnessOptions {
  /** ferry.yaml lines of service `web` after its runtime and route (indented 4 spaces). */
  readonly service: string;
  /** Whether started instances turn ready by themselves. Default true. */
  readonly autoReady?: boolean;
  /**
   * Kills the first server right after this many writes to the deployment and instance stores,
   * or the write picked (see {@link ProcessLife}); `restart` then starts the next one.
   */
  readonly killAfterWrites?: KillPoint;
}

/** The parts that outlive a server: stores, runtime, router, time. */
function buildWorld(options: HarnessOptions) {
  const config = parseConfig(ferryYaml(options.service), 'ferry.yaml');
  const dir = mkdtempSync(join(tmpdir(), 'ferry-controller-'));
  const scheduler = new ManualScheduler(Date.parse('2026-01-01T00:00:00Z'));
  const clock = scheduler.clock;
  const eventStore = new InMemoryEventStore();
  const events = new EventLog(eventStore, clock);
  return {
    config,
    dir,
    scheduler,
    clock,
    eventStore,
    events,
    deployments: new InMemoryDeploymentStore(eventStore),
    instances: new InMemoryInstanceStore(),
    stops: new InMemoryStopStore(),
    analysisRuns: new InMemoryAnalysisRunStore(),
    artifacts: new ArtifactService(
      new InMemoryArtifactStore(),
      new BlobStore(join(dir, 'artifacts')),
      events,
      clock,
      config,
    ),
    /** Replaced by a runtime on the same pretend machine when the server restarts. */
    runtime: new FakeInstanceRuntime({ autoReady: options.autoReady ?? true, scheduler }),
    router: new FakeTrafficRouter(),
    metrics: new ScriptedMetrics(),
  };
}

type World = ReturnType<typeof buildWorld>;

/**
 * One server process on the world, wired as src/compose.ts wires it (analysis, smoke checks,
 * the services the API calls), every part seen through `life` so a test can kill it.
 */
function buildServer(world: World, life: ProcessLife) {
  const { clock, scheduler } = world;
  const { logger, logged } = capturedLogger();
  // Like the real checks, what they know lives in the process: a new server asks again.
  const smoke = new ScriptedSmokeChecks();
  const counted = { countWrites: true } as const;
  const deploymentStore = life.through(world.deployments, counted);
  const instanceStore = life.through(world.instances, counted);
  const stops = life.through(world.stops);
  const analysisRuns = life.through(world.analysisRuns);
  const events = new EventLog(life.through(world.eventStore), clock);
  const runtime = life.through(world.runtime, { sync: ['get', 'list'] });
  const router = life.through(world.router);
  const locks = new KeyedQueue();
  const onFinished = (runId: string) => {
    analysis.finished(runId);
    void recordVerdict(runId).finally(() => controller.wake());
  };
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
  const runner = new AnalysisRunner({
    store: analysisRuns,
    provider: world.metrics,
    scheduler,
    onFinished,
    onError: (error) => logged.push(String(error)),
  });
  const analysis: RolloutAnalysis = new RolloutAnalysis({
    store: analysisRuns,
    executors: { analysis: analysisExecutor(runner) },
    clock,
  });
  const controller: DeploymentController = new DeploymentController({
    analysis,
    smoke,
    locks,
    deployments: deploymentStore,
    instances: instanceStore,
    stops,
    runtime,
    router,
    events,
    clock,
    logger,
    // Reconciles come from wakes and from the harness, never from a real timer.
    tickMs: 3_600_000,
  });
  smoke.onSettled((instanceId, status) => {
    if (life.dead) return;
    const settled =
      status.state === 'failed'
        ? controller.onSmokeFailed(instanceId, status.message)
        : controller.onSmokePassed(instanceId);
    settled.catch((error: unknown) => logged.push(String(error)));
  });
  const deployments = new DeploymentService(
    world.config,
    deploymentStore,
    stops,
    world.artifacts,
    events,
    clock,
    locks,
    () => controller.wake(),
  );
  const rollouts = new RolloutService(
    deploymentStore,
    controller,
    events,
    clock,
    locks,
    stops,
    analysis,
  );
  return { life, controller, deployments, rollouts, runner, analysis, smoke, logged };
}

type Server = ReturnType<typeof buildServer>;

/** A controller on fakes and a manual clock, with the handles and steps tests drive it by. */
export async function controllerHarness(options: HarnessOptions) {
  const world = buildWorld(options);
  let server: Server = buildServer(world, new ProcessLife(options.killAfterWrites));
  let restarts = 0;

  /**
   * Starts the controller; while its recovery waits (on real timers) for adopted instances to be
   * ready, timers due fire, then time moves on a second at a time, until it is done or dead.
   */
  const startServer = async () => {
    let started = false;
    const starting = server.controller.start().finally(() => {
      started = true;
    });
    for (let round = 0; !started && !server.life.dead; round += 1) {
      await world.scheduler.advance(round < 20 ? 0 : 1_000, flush);
      await Promise.race([starting, server.life.death, delay(10)]);
    }
  };

  await startServer();

  /** Stops the server as compose.ts's `close` does: controller, then analysis. */
  const closeServer = async () => {
    await server.controller.stop();
    await server.analysis.close();
    await server.runner.close();
  };

  /** The promise's value, or undefined once the server died (its calls never end). */
  const untilDeath = <T>(promise: Promise<T>): Promise<T | undefined> =>
    Promise.race([promise, server.life.death.then(() => undefined)]);

  /** Everything a test observes, as one string: unchanged twice running means settled. */
  const fingerprint = async () =>
    JSON.stringify([
      await world.deployments.list(scope, 3),
      await world.instances.listLive(scope),
      world.runtime.list().map((s) => [s.spec.instanceId, s.phase, s.restarts]),
      harness.table('main'),
      harness.table('preview'),
      (await world.eventStore.list({ latest: true, limit: 1 }))[0]?.id ?? 0,
    ]);

  const harness = {
    world,
    get server() {
      return server;
    },
    /** Servers started after the first one. */
    get restarts() {
      return restarts;
    },
    /** The smoke checks of the current server. */
    get smoke() {
      return server.smoke;
    },
    get controller() {
      return server.controller;
    },

    /**
     * Reconciles until nothing observable changes any more (or the server died). Throws when it
     * never settles, with what kept changing.
     */
    async runUntilSettled(): Promise<void> {
      let last = '';
      let same = 0;
      for (let round = 0; round < 100; round += 1) {
        // Timers due now (an instance turning ready, a measurement) fire before each look.
        await world.scheduler.advance(0, flush);
        if (server.life.dead) return;
        await Promise.race([server.controller.reconcileNow(scope), server.life.death]);
        await flush();
        const now = await fingerprint();
        same = now === last ? same + 1 : 0;
        if (same >= 2) return;
        last = now;
      }
      throw new Error(`the controller never settled; last state: ${last}`);
    },

    /** Moves time on (analysis timers fire on the way), then settles. */
    async advance(ms: number): Promise<void> {
      await world.scheduler.advance(ms, async () => {
        await flush();
        await untilDeath(server.runner.settle());
      });
      await harness.runUntilSettled();
    },

    /**
     * Uploads `version` (once) and deploys it as a person would, then settles. When the server
     * dies during the call, returns the newest deployment, whichever it is.
     */
    async deploy(version: string): Promise<Deployment> {
      await ingest(world, version);
      // Ids and "newest" order come from the clock: never two deployments at one instant.
      world.clock.advance(1_000);
      const result = await untilDeath(server.deployments.deploy(scope, version, user));
      await harness.runUntilSettled();
      return result?.deployment ?? harness.latest();
    },

    async rollback(version?: string): Promise<Deployment> {
      world.clock.advance(1_000);
      const { deployment } = await server.deployments.rollback(scope, version, user);
      await harness.runUntilSettled();
      return deployment;
    },

    /** A person's rollout action, through the RolloutService as the API does it. */
    async act(action: RolloutAction, full = false): Promise<Deployment> {
      const acted = await server.rollouts.act(scope, action, user, full);
      await harness.runUntilSettled();
      return (await world.deployments.get(acted.id)) ?? acted;
    },

    async stopService(): Promise<void> {
      await server.deployments.stop(scope, user);
      await server.controller.halt(scope);
      await harness.runUntilSettled();
    },

    async startService(): Promise<Deployment> {
      world.clock.advance(1_000);
      const { deployment } = await server.deployments.start(scope, user);
      await harness.runUntilSettled();
      return deployment;
    },

    /** The newest deployment. */
    async latest(): Promise<Deployment> {
      const latest = (await world.deployments.list(scope, 1))[0];
      if (!latest) throw new Error('nothing was deployed');
      return latest;
    },

    /** Instances the store says run (not stopped), with what the runtime says of them. */
    async live(): Promise<(StoredInstance & { phase: string | undefined })[]> {
      return (await world.instances.listLive(scope)).map((i) => ({
        ...i,
        phase: world.runtime.get(i.id)?.phase,
      }));
    },

    /** Versions of the instances running in the runtime, sorted. */
    runningVersions(): string[] {
      return world.runtime
        .list()
        .filter((s) => s.phase !== 'stopped' && s.phase !== 'stopping')
        .map((s) => s.spec.version)
        .sort();
    },

    /** The router's current table of a listener of the service, if it has one open. */
    table(listener: ListenerKind = 'main'): RoutingTable | undefined {
      return world.router.tableOf(scope.service, scope.environment, listener);
    },

    /** Versions traffic goes to on the main listener, with their share, e.g. `{ v1: 90, v2: 10 }`. */
    split(listener: ListenerKind = 'main'): Record<string, number> {
      return splitOf(harness.table(listener));
    },

    async eventKinds(prefix = ''): Promise<string[]> {
      const events = await world.eventStore.list({ kindPrefix: prefix, limit: 10_000 });
      return events.map((e) => e.kind);
    },

    /**
     * Ends the current server (killed, or stopped gracefully) and starts a new one on the same
     * stores, runtime and router, which re-adopts what runs. `killAfterWrites` arms the new one
     * as the option of the same name arms the first.
     */
    async restart(
      options: { graceful?: boolean; killAfterWrites?: KillPoint } = {},
    ): Promise<void> {
      if (options.graceful && !server.life.dead) await closeServer();
      server.life.kill();
      await world.runtime.detach();
      world.runtime = FakeInstanceRuntime.restartFrom(world.runtime);
      server = buildServer(world, new ProcessLife(options.killAfterWrites));
      restarts += 1;
      await startServer();
    },

    async dispose(): Promise<void> {
      if (!server.life.dead) await closeServer();
      server.life.kill();
      rmSync(world.dir, { recursive: true, force: true });
    },
  };
  return harness;
}

export type ControllerHarness = Awaited<ReturnType<typeof controllerHarness>>;

function ferryYaml(service: string): string {
  return `apiVersion: ferry.dev/v1
environments:
  - name: prod
services:
  web:
    runtime:
      local: { command: node server.js }
    routes: { prod: 127.0.0.1:18080 }
${service}
`;
}

async function ingest(world: World, version: string): Promise<void> {
  await world.artifacts.ingest({
    service: scope.service,
    version,
    sourceCommit: null,
    bytes: tarGzOf([{ path: 'server.js', body: `console.log(${JSON.stringify(version)})\n` }]),
    actor: user,
  });
}
