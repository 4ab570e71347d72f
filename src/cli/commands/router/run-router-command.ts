import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';
import type { RouterInput } from './router-input.js';

/** Runs the router in the foreground until it stops (signal, shutdown, router.json gone). */
export async function runRouterCommand(
  input: RouterInput,
  _context: CommandContext,
): Promise<number> {
  // Loaded on demand: no other command needs the router's modules.
  const { runRouter } = await import('../../../traffic/router-process/run-router.js');
  await runRouter(input.dataDir, input.settings);
  return exitCodes.ok;
}
