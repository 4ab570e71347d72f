import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultRouterSettings } from '../../src/traffic/control/default-router-settings.js';
import { RemoteRouter } from '../../src/traffic/control/remote-router.js';
import type { RouterState } from '../../src/traffic/control/control-protocol.js';
import {
  killRouterGroup,
  killRouterLeftovers,
} from '../../src/traffic/control/router-state-file.js';
import { spawnRouter } from '../../src/traffic/router-process/spawn-router.js';
import { processCpuMicros } from './process-cpu.js';

export interface RouterUnderTestOptions {
  /** Worker processes of the router (its `workers` setting). */
  readonly workers: number;
  /** The port of the upstream every request goes to (examples/hello). */
  readonly upstreamPort: number;
}

/** A running router the bench loads: where it listens, what CPU it used, how to stop it. */
export interface RouterUnderTest {
  readonly url: string;
  /** Pids whose CPU time counts: the primary and every worker. */
  readonly pids: readonly number[];
  /** User plus system CPU time of all its processes so far, in µs (from /proc). */
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts a real `ferry router` (this build's `bin/ferry.js`, as `ferry server` runs it) on a
 * fresh data folder with `workers` worker processes, and applies one table through its control
 * channel: the stable track of service `bench` to the upstream, on a port the router picks. CPU
 * time counts every worker and the primary (which only supervises and should stay near idle).
 */
export async function startRouterUnderTest(
  options: RouterUnderTestOptions,
): Promise<RouterUnderTest> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-bench-router-'));
  let state: RouterState | undefined;
  let remote: RemoteRouter | undefined;
  const stop = async () => {
    if (state !== undefined) await stopRouterProcess(state, remote);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    state = await spawnRouter({
      dataDir,
      settings: { ...defaultRouterSettings, workers: options.workers },
    });
    remote = new RemoteRouter(state);
    await remote.connect();
    await remote.apply({
      service: 'bench',
      environment: 'bench',
      listen: { host: '127.0.0.1', port: 0 },
      backends: {
        stable: [{ id: 'hello-1', host: '127.0.0.1', port: options.upstreamPort, version: 'v1' }],
      },
    });
    const [table] = await remote.tables();
    const health = await remote.health();
    if (table === undefined || health.workers.length !== options.workers) {
      throw new Error(
        `ferry router: expected 1 table and ${options.workers} workers, got ` +
          `${(await remote.tables()).length} and ${health.workers.length}`,
      );
    }
    const pids = [health.pid, ...health.workers];
    return {
      url: `http://127.0.0.1:${table.listen.port}/`,
      pids,
      cpuMicros: async () =>
        (await Promise.all(pids.map((pid) => processCpuMicros(pid)))).reduce((a, b) => a + b, 0),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Asks the router to shut down, then SIGKILLs its process group and any worker its primary left:
 * nothing of it survives the bench, whether the shutdown answered or not.
 */
export async function stopRouterProcess(state: RouterState, remote?: RemoteRouter): Promise<void> {
  const client = remote ?? new RemoteRouter(state);
  await Promise.race([
    client.shutdown().catch(() => undefined),
    new Promise((resolve) => setTimeout(resolve, 3_000)),
  ]);
  await client.close().catch(() => undefined);
  await killRouterGroup(state.pid);
  killRouterLeftovers(state.pid);
}
