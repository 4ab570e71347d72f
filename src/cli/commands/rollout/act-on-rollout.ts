import { writeJson, writeLine } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';
import { describeAction } from './describe-action.js';
import { formatRolloutSteps } from './format-rollout-view.js';
import type { ActOnRolloutInput } from './rollout-input.js';

/**
 * `ferry rollout promote|abort|retry|pause|resume`: asks the server, says what happened in one
 * line on stderr, then shows the steps and traffic split (`--json`: the RolloutView). A phase
 * that does not allow the action is the server's 409, rendered as one `error:` line, exit 1.
 */
export async function actOnRollout(input: ActOnRolloutInput, context: CommandContext) {
  const { io, json } = context;
  const client = context.client();
  const { service, environment, action } = input;
  const view = await client.rolloutAction(
    service,
    environment,
    action,
    action === 'promote' ? input.full : undefined,
  );
  writeLine(io.stderr, await describeAction(input, view, client));
  if (json) writeJson(io.stdout, view);
  else io.stdout.write(formatRolloutSteps(view));
  return exitCodes.ok;
}
