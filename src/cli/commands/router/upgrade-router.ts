import { writeJson, writeLine } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';
import { RemoteRouter } from '../../../traffic/control/remote-router.js';
import {
  processAlive,
  readRouterState,
} from '../../../traffic/router-process/router-state-file.js';
import type { RouterInput } from './router-input.js';

/** Replaces the router's workers with fresh ones running the code on disk; prints their pids. */
export async function upgradeRouter(input: RouterInput, context: CommandContext): Promise<number> {
  const state = readRouterState(input.dataDir);
  if (state === undefined || !processAlive(state.pid)) {
    writeLine(context.io.stderr, `error: no router runs for ${input.dataDir}`);
    return exitCodes.failed;
  }
  const router = new RemoteRouter(state);
  try {
    const workers = await router.upgrade();
    const { build } = await router.health();
    writeLine(context.io.stderr, `router upgraded (build ${build}); workers: ${workers.join(' ')}`);
    if (context.json) writeJson(context.io.stdout, { pid: state.pid, build, workers });
    else writeLine(context.io.stdout, workers.join('\n'));
    return exitCodes.ok;
  } finally {
    await router.close();
  }
}
