import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemoteRouter } from '../control/remote-router.js';
import type { RouterSettings, RouterState } from '../control/control-protocol.js';
import { processAlive } from './router-state-file.js';
import { spawnRouter } from './spawn-router.js';

/**
 * Real `ferry router` processes for tests (the built code: run `npx tsc -p tsconfig.build.json`,
 * or let vitest's global setup build). Not a test file itself.
 */
export interface TestRouter {
  readonly dataDir: string;
  readonly state: RouterState;
  readonly remote: RemoteRouter;
  /** SIGKILL to the router's whole process group (primary and workers); waits until all are gone. */
  kill(): Promise<void>;
}

export const testRouterSettings = (workers = 2): RouterSettings => ({
  timeouts: { headersMs: 10_000, idleMs: 60_000 },
  trustedProxies: [],
  workers,
});

/** Starts a router on `dataDir` (a fresh temporary folder by default). */
export async function startTestRouter(
  options: { readonly dataDir?: string; readonly workers?: number } = {},
): Promise<TestRouter> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'ferry-router-'));
  const state = await spawnRouter({ dataDir, settings: testRouterSettings(options.workers) });
  const remote = new RemoteRouter(state);
  const health = await remote.connect();
  return {
    dataDir,
    state,
    remote,
    async kill() {
      await remote.close();
      await killGroup(state.pid, health.workers);
    },
  };
}

/** SIGKILL to a process group, then waits until the leader and `others` have exited. */
export async function killGroup(pid: number, others: readonly number[] = []): Promise<void> {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
  await waitGone([pid, ...others]);
}

/** Resolves once none of the pids runs (10 s at most). */
export async function waitGone(pids: readonly number[], timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(processAlive)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/** Removes a data folder a test made. */
export function removeDataDir(dataDir: string): void {
  rmSync(dataDir, { recursive: true, force: true });
}
