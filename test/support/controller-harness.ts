import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '../../src/composition/compose-services.js';
import type { FerryParts } from '../../src/composition/ferry-parts.js';
import type { FerryStores } from '../../src/composition/ferry-stores.js';
import { inMemoryStores } from '../../src/composition/in-memory-stores.js';
import { parseConfig } from '../../src/config/load-config.js';
import { ManualScheduler } from '../../src/features/analysis/manual-scheduler.js';
import { tarGzOf } from '../../src/features/artifacts/test-tarballs.js';
import type { Deployment } from '../../src/features/deployments/domain/deployment.js';
import type { RolloutAction } from '../../src/features/deployments/rollout-service.js';
import { FakeInstanceRuntime } from '../../src/features/instances/fake-instance-runtime.js';
import type { StoredInstance } from '../../src/features/instances/instance.js';
import { FakeTrafficRouter } from '../../src/features/routing/fake-traffic-router.js';
import { FakeMigrationDatabase } from '../../src/features/migrations/fake-migration-database.js';
import type { ListenerKind, RoutingTable } from '../../src/features/routing/traffic-router.js';
import { KeyedQueue } from '../../src/shared/keyed-queue.js';
import { capturedLogger } from './captured-logger.js';
import { ProcessLife, type KillPoint } from './process-life.js';
import { ScriptedMetrics } from './scripted-metrics.js';
import { ScriptedSmokeChecks } from './scripted-smoke-checks.js';
import { splitOf } from './routing-split.js';
import { delay, flush } from './turns.js';

export { splitOf };

/** The service and environment a harness deploys, unless told another environment. */
export const scope = { service: 'web', environment: 'prod' } as const;
const user = 'user:test';

export interface HarnessOptions {
  /** ferry.yaml lines of service `web` after its runtime and route (indented 4 spaces). */
  readonly service: string;
  /** The environments of ferry.yaml, each a route of `web`. Default `[prod]`. */
  readonly environments?: readonly string[];
  /** The one of them this harness deploys to and watches. Default prod. */
  readonly environment?: string;
  /** Whether started instances turn ready by themselves. Default true. */
  readonly autoReady?: boolean;
  /**
   * Kills the first server right after this many writes to the deployment and instance stores,
   * or the write picked (see {@link ProcessLife}); `restart` then starts the next one.
   */
  readonly killAfterWrites?: KillPoint;
  /**
   * Files each version's artifact ships besides `server.js` (migrations, say), by version.
   * With it, the world has a `FakeMigrationDatabase` behind `openMigrationDatabase`.
   */
  readonly files?: (version: string) => readonly { path: string; body: string }[];
}

/** The parts that outlive a server: stores, runtime, router, time, what analysis measures. */
function buildWorld(options: HarnessOptions) {
  const scheduler = new ManualScheduler(Date.parse('2026-01-01T00:00:00Z'));
  return {
    config: parseConfig(ferryYaml(options.service, options.environments), 'ferry.yaml'),
    dir: mkdtempSync(join(tmpdir(), 'ferry-controller-')),
    scheduler,
    clock: scheduler.clock,
    stores: inMemoryStores(),
    /** Replaced by a runtime on the same pretend machine when the server restarts. */
    runtime: new FakeInstanceRuntime({ autoReady: options.autoReady ?? true, scheduler }),
    router: new FakeTrafficRouter(),
    metrics: new ScriptedMetrics(),
    /** The database services migrate: it outlives a server, as a real one does. */
    migrationDatabase: new FakeMigrationDatabase(() => scheduler.clock.now()),
    files: options.files ?? (() => []),
  };
}

type World = ReturnType<typeof buildWorld>;

/**
 * One server process on the world, built by the composition root (src/composition/) from the
 * world's parts, every one seen through `life` so a test can kill it.
 */
function buildServer(world: World, life: ProcessLife) {
  const { logger, logged } = capturedLogger();
  // Like the real checks, what they know lives in the process: a new server asks again.
  const smoke = new ScriptedSmokeChecks();
  const parts: FerryParts = {
    stores: storesOf(world.stores, life),
    runtime: life.through(world.runtime, { sync: ['get', 'list'] }),
    router: life.through(world.router),
    metrics: world.metrics,
    openMigrationDatabase: world.migrationDatabase.open,
    smokeChecks: (onSettled) => {
      smoke.onSettled((instanceId, status) => {
        if (!life.dead) onSettled(instanceId, status);
      });
      return smoke;
    },
  };
  const { config, clock, scheduler, dir: dataDir } = world;
  const services = composeServices(
    {
      config,
      clock,
      scheduler,
      dataDir,
      logger,
      locks: new KeyedQueue(),
      // Reconciles come from wakes and from the harness, never from a real timer.
      tickMs: 3_600_000,
    },
    parts,
  );
  return { life, smoke, logged, ...services };
}

/** The world's stores as one process sees them; its deployment and instance writes are counted. */
function storesOf(stores: FerryStores, life: ProcessLife): FerryStores {
  const counted = { countWrites: true } as const;
  return {
    events: life.through(stores.events),
    artifacts: life.through(stores.artifacts),
    tokens: life.through(stores.tokens),
    deployments: life.through(stores.deployments, counted),
    instances: life.through(stores.instances, counted),
    stops: life.through(stores.stops),
    analysisRuns: life.through(stores.analysisRuns),
    leases: life.through(stores.leases),
    gateResults: life.through(stores.gateResults),
    audit: life.through(stores.audit),
    approvals: life.through(stores.approvals),
    close: () => Promise.resolve(),
  };
}

type Server = ReturnType<typeof buildServer>;

/** A controller on fakes and a manual clock, with the handles and steps tests drive it by. */
export async function controllerHarness(options: HarnessOptions) {
  const scope = { service: 'web', environment: options.environment ?? 'prod' };
  const world = buildWorld(options);
  let server: Server = buildServer(world, new ProcessLife(options.killAfterWrites));
  let restarts = 0;

  /**
   * Starts the controller; while its recovery waits (on real timers) for adopted instances to be
   * ready, timers due fire, then time moves on a second at a time, until it is done or dead.
   */
  const startServer = async () => {
    let started = false;
    const starting = server.core.controller.start().finally(() => {
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
    await server.core.controller.stop();
    await server.analysis.stop();
    await server.core.settle();
    await server.analysis.settle();
  };

  /** The promise's value, or undefined once the server died (its calls never end). */
  const untilDeath = <T>(promise: Promise<T>): Promise<T | undefined> =>
    Promise.race([promise, server.life.death.then(() => undefined)]);

  /** Everything a test observes, as one string: unchanged twice running means settled. */
  const fingerprint = async () =>
    JSON.stringify([
      await world.stores.deployments.list(scope, 3),
      await world.stores.instances.listLive(scope),
      world.runtime.list().map((s) => [s.spec.instanceId, s.phase, s.restarts]),
      harness.table('main'),
      harness.table('preview'),
      (await world.stores.events.list({ latest: true, limit: 1 }))[0]?.id ?? 0,
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
      return server.core.controller;
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
        await Promise.race([server.core.controller.reconcileNow(scope), server.life.death]);
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
        await untilDeath(server.analysis.idle());
      });
      await harness.runUntilSettled();
    },

    /**
     * Uploads `version` (once) and deploys it as a person would, then settles. When the server
     * dies during the call, returns the newest deployment, whichever it is.
     */
    async deploy(version: string): Promise<Deployment> {
      await ingest(server, version, world.files(version));
      // Ids and "newest" order come from the clock: never two deployments at one instant.
      world.clock.advance(1_000);
      const result = await untilDeath(server.core.deployments.deploy(scope, version, user));
      await harness.runUntilSettled();
      return result?.deployment ?? harness.latest();
    },

    async rollback(version?: string): Promise<Deployment> {
      world.clock.advance(1_000);
      const { deployment } = await server.core.deployments.rollback(scope, version, user);
      await harness.runUntilSettled();
      return deployment;
    },

    /** A person's rollout action, through the RolloutService as the API does it. */
    async act(action: RolloutAction, full = false): Promise<Deployment> {
      const acted = await server.core.rollouts.act(scope, action, user, full);
      await harness.runUntilSettled();
      return (await world.stores.deployments.get(acted.id)) ?? acted;
    },

    async stopService(): Promise<void> {
      await server.core.deployments.stop(scope, user);
      await server.core.controller.halt(scope);
      await harness.runUntilSettled();
    },

    async startService(): Promise<Deployment> {
      world.clock.advance(1_000);
      const { deployment } = await server.core.deployments.start(scope, user);
      await harness.runUntilSettled();
      return deployment;
    },

    /** The newest deployment. */
    async latest(): Promise<Deployment> {
      const latest = (await world.stores.deployments.list(scope, 1))[0];
      if (!latest) throw new Error('nothing was deployed');
      return latest;
    },

    /** Instances the store says run (not stopped), with what the runtime says of them. */
    async live(): Promise<(StoredInstance & { phase: string | undefined })[]> {
      return (await world.stores.instances.listLive(scope)).map((i) => ({
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
      const events = await world.stores.events.list({ kindPrefix: prefix, limit: 10_000 });
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

function ferryYaml(service: string, environments: readonly string[] = ['prod']): string {
  const routes = environments.map((env, index) => `${env}: 127.0.0.1:${18080 + index}`);
  // `from: null`: each takes deploys directly; promotion is not what these tests are about.
  return `apiVersion: ferry.dev/v1
environments:
${environments.map((env) => `  - { name: ${env}, from: null }`).join('\n')}
services:
  web:
    runtime:
      local: { command: node server.js }
    routes: { ${routes.join(', ')} }
${service}
`;
}

/** Uploads `version` as a person would, through the server. */
async function ingest(
  server: Server,
  version: string,
  files: readonly { path: string; body: string }[],
): Promise<void> {
  await server.artifacts.ingest({
    service: scope.service,
    version,
    sourceCommit: null,
    bytes: tarGzOf([
      { path: 'server.js', body: `console.log(${JSON.stringify(version)})\n` },
      ...files,
    ]),
    actor: user,
  });
}
