import { writeLine } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { runRollout } from '../../rollout/run-rollout.js';
import { describeRollbackPath } from './describe-rollback-path.js';

export interface RollbackInput {
  readonly service: string;
  readonly environment: string;
  readonly toVersion: string | undefined;
  readonly wait: boolean;
  /** `--force`: past the contract guard; recorded on the deployment. */
  readonly force: boolean;
}

/**
 * Start the rollback, say whether it is fast (within rollbackWindow) or goes through the
 * strategy, and follow it like a deployment. `--json`: `{deployment, noop}`.
 */
export async function runRollback(input: RollbackInput, context: CommandContext) {
  const { service, environment, toVersion } = input;
  const result = await context.client().rollback({
    service,
    environment,
    ...(toVersion ? { toVersion } : {}),
    ...(input.force ? { force: true } : {}),
  });
  const path = result.noop ? undefined : describeRollbackPath(result.deployment);
  if (path) writeLine(context.io.stderr, path);
  return runRollout(result, { wait: input.wait }, context);
}
