import type { CommandContext } from '../../command-context.js';
import { runRollout } from '../../rollout/run-rollout.js';

export interface RollbackInput {
  readonly service: string;
  readonly environment: string;
  readonly toVersion: string | undefined;
  readonly wait: boolean;
}

/** Start the rollback and follow it like a deployment. `--json`: `{deployment, noop}`. */
export async function runRollback(input: RollbackInput, context: CommandContext) {
  const { service, environment, toVersion } = input;
  const result = await context
    .client()
    .rollback({ service, environment, ...(toVersion ? { toVersion } : {}) });
  return runRollout(result, { wait: input.wait }, context);
}
