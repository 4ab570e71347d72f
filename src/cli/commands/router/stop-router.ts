import { writeJson, writeLine } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';
import { RemoteRouter } from '../../../traffic/control/remote-router.js';
import {
  processAlive,
  readRouterState,
} from '../../../traffic/router-process/router-state-file.js';
import type { RouterInput } from './router-input.js';

/** How long `ferry router stop` waits for the process to end. */
const exitTimeoutMs = 30_000;

/** Asks the data folder's router to shut down and waits until its process is gone. */
export async function stopRouter(input: RouterInput, context: CommandContext): Promise<number> {
  const state = readRouterState(input.dataDir);
  if (state === undefined || !processAlive(state.pid)) {
    writeLine(context.io.stderr, `error: no router runs for ${input.dataDir}`);
    return exitCodes.failed;
  }
  const router = new RemoteRouter(state);
  try {
    await router.shutdown();
  } finally {
    await router.close();
  }
  const deadline = Date.now() + exitTimeoutMs;
  while (processAlive(state.pid)) {
    if (Date.now() > deadline) {
      writeLine(context.io.stderr, `error: the router (pid ${state.pid}) did not exit in 30 s`);
      return exitCodes.failed;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  writeLine(context.io.stderr, `router of ${input.dataDir} stopped (pid ${state.pid})`);
  if (context.json) writeJson(context.io.stdout, { pid: state.pid, stopped: true });
  return exitCodes.ok;
}
