import { RemoteRouter } from '../../src/traffic/control/remote-router.js';
import type { RouterHealth } from '../../src/traffic/control/control-protocol.js';
import { readRouterState } from '../../src/traffic/control/router-state-file.js';
import type { FerryServer } from './ferry-server.js';

/** The health of the router process serving a test server's data folder, read over its channel. */
export async function routerHealth(server: FerryServer): Promise<RouterHealth> {
  const state = readRouterState(server.dataDir);
  if (!state) throw new Error(`no router.json in ${server.dataDir}`);
  const channel = new RemoteRouter(state);
  try {
    return await channel.health();
  } finally {
    await channel.close();
  }
}

/** Pid of the router process named in the data folder's router.json. */
export function routerPid(server: FerryServer): number {
  const state = readRouterState(server.dataDir);
  if (!state) throw new Error(`no router.json in ${server.dataDir}`);
  return state.pid;
}
