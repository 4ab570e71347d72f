import type { CommandContext } from '../../command-context.js';
import { runRollout } from '../../rollout/run-rollout.js';

export interface StartInput {
  readonly service: string;
  readonly environment: string;
  readonly wait: boolean;
}

/**
 * Starts a stopped service: the server makes a deployment of the version it ran last, followed
 * like any deploy. Not stopped: "already live", exit 0. `--json`: `{deployment, noop}`.
 */
export async function runStart(input: StartInput, context: CommandContext) {
  const result = await context.client().start(input.service, input.environment);
  return runRollout(result, { wait: input.wait }, context);
}
