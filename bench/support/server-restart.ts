import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FerryClient } from '../../src/cli/ferry-client.js';
import { ConstantLoad } from '../../src/demo/constant-load.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { packDirectory } from '../../src/features/artifacts/pack-directory.js';
import { killOrphans } from '../../src/runtime/local/orphan-processes.js';
import { stopRouter } from '../../src/server/stop-router.js';
import type { Figure } from './benchmark.js';
import { ServerProcess } from './server-process.js';

export interface ServerRestartOptions {
  /** Constant request rate on the route. */
  readonly rps: number;
  /** Seconds the server stays down before it is started again. */
  readonly downSeconds: number;
  /** Seconds of load before the kill, and again after the new server is ready. */
  readonly steadySeconds: number;
}

/** What the load saw across one restart. */
interface RestartRun {
  readonly sent: number;
  readonly failed: number;
  readonly errors: readonly string[];
}

/**
 * Requests lost when `ferry server` restarts under load: a real server (bin/ferry.js) with
 * examples/hello deployed (2 replicas), constant load on its route, then the server killed
 * (SIGKILL, then SIGTERM in a second run), down `downSeconds`, started again on the same data
 * folder, and the load kept up `steadySeconds` after it is ready. The router process and the
 * instances outlive the server, so the target is no failed request. Failed = non-2xx answers plus
 * connection errors and timeouts; the baseline is every request sent in the run.
 */
export async function measureServerRestarts(
  options: ServerRestartOptions,
): Promise<Record<string, Figure>> {
  const work = mkdtempSync(join(tmpdir(), 'ferry-bench-restart-'));
  chmodSync(work, 0o711); // instances of a root server run as nobody
  const dataDir = join(work, 'data');
  const configPath = join(work, 'ferry.yaml');
  const routePort = await freePort();
  writeFileSync(configPath, helloConfig({ routePort, replicas: 2, readinessInterval: '100ms' }));
  const server = new ServerProcess({ configPath, dataDir, port: await freePort() });
  try {
    await server.start();
    await deployHello(new FerryClient(server.url));
    const route = `http://127.0.0.1:${routePort}/`;
    const hard = await restartUnderLoad(server, route, 'SIGKILL', options);
    const graceful = await restartUnderLoad(server, route, 'SIGTERM', options);
    for (const [name, run] of [
      ['SIGKILL', hard],
      ['SIGTERM', graceful],
    ] as const) {
      console.error(
        `server restart (${name}): ${run.failed} of ${run.sent} requests failed` +
          (run.errors.length > 0 ? `; first errors: ${run.errors.slice(0, 3).join('; ')}` : ''),
      );
    }
    return {
      restart_failed_requests: { value: hard.failed, unit: 'requests (target 0)' },
      restart_total_requests: { value: hard.sent, unit: 'requests (baseline)' },
      graceful_restart_failed_requests: { value: graceful.failed, unit: 'requests (target 0)' },
      graceful_restart_total_requests: { value: graceful.sent, unit: 'requests (baseline)' },
    };
  } finally {
    await server.kill('SIGKILL');
    await stopRouter(dataDir);
    await killOrphans(dataDir);
    rmSync(work, { recursive: true, force: true });
  }
}

async function restartUnderLoad(
  server: ServerProcess,
  route: string,
  signal: NodeJS.Signals,
  options: ServerRestartOptions,
): Promise<RestartRun> {
  const load = new ConstantLoad(route, options.rps).start();
  const restarted = (async () => {
    await sleep(options.steadySeconds * 1_000);
    await server.kill(signal);
    await sleep(options.downSeconds * 1_000);
    await server.start();
    await sleep(options.steadySeconds * 1_000);
  })();
  // The load stops whether the restart worked or not; a failed restart fails the bench.
  await restarted.catch(() => undefined);
  const result = await load.stop();
  await restarted;
  return { sent: result.sent, failed: result.non2xx + result.errors.length, errors: result.errors };
}

async function deployHello(client: FerryClient): Promise<void> {
  const dir = helloVersion({ version: 'v1' });
  try {
    await client.putArtifact('hello', 'v1', await packDirectory(dir), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const { deployment } = await client.deploy({
    service: 'hello',
    environment: 'prod',
    version: 'v1',
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const current = await client.deployment(deployment.id);
    if (current.phase === 'Succeeded') return;
    if (['Aborted', 'RolledBack', 'Failed'].includes(current.phase) || Date.now() > deadline) {
      throw new Error(`deploying hello v1: ${current.phase} (${current.reason ?? 'no reason'})`);
    }
    await sleep(50);
  }
}
