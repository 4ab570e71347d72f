import { rmSync } from 'node:fs';
import { routerStatePath } from '../traffic/control/control-protocol.js';
import { killRouterGroup, readRouterState } from '../traffic/control/router-state-file.js';

/**
 * Ends the router process of a data folder at once (SIGKILL to its process group, workers
 * included) and removes its `router.json`, for tests and the demo that clean up after a server:
 * the router outlives `ferry server` by design. Resolves to the router's pid, or undefined when
 * no router of that folder was running.
 */
export async function stopRouter(dataDir: string): Promise<number | undefined> {
  const state = readRouterState(dataDir);
  const killed = state !== undefined && (await killRouterGroup(state.pid));
  try {
    rmSync(routerStatePath(dataDir), { force: true });
  } catch {
    // A read-only data folder: the file names a dead process, which no server adopts.
  }
  return killed ? state.pid : undefined;
}
