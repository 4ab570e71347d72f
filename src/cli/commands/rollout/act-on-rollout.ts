import { writeJson, writeLine } from '../../cli-io.js';
import type { RolloutView } from '../../api-types.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';
import { interruptSignal } from '../../interrupt-signal.js';
import { followRollout } from '../../rollout/follow-rollout.js';
import { reportOutcome } from '../../rollout/report-outcome.js';
import { describeAction } from './describe-action.js';
import { formatRolloutSteps } from './format-rollout-view.js';
import type { ActOnRolloutInput } from './rollout-input.js';

/**
 * `ferry rollout promote|abort|retry|pause|resume`: asks the server, says what happened in one
 * line on stderr, then shows the steps and traffic split (`--json`: the RolloutView). A phase
 * that does not allow the action is the server's 409, rendered as one `error:` line, exit 1.
 * `--wait` first follows the rollout as `deploy` does, and exits as it does (0 live, 3 paused).
 */
export async function actOnRollout(input: ActOnRolloutInput, context: CommandContext) {
  const { io } = context;
  const client = context.client();
  const { service, environment, action } = input;
  const view = await client.rolloutAction(
    service,
    environment,
    action,
    action === 'promote' ? input.full : undefined,
  );
  writeLine(io.stderr, await describeAction(input, view, client));
  if (!input.wait || !view.deployment) return show(view, context);
  const interrupt = interruptSignal(io);
  try {
    const final = await followRollout(view.deployment, context, interrupt.signal);
    if (!final) return exitCodes.failed;
    const code = reportOutcome(final, io.stderr);
    show(await client.rollout(service, environment), context);
    return code;
  } finally {
    interrupt.dispose();
  }
}

function show(view: RolloutView, { io, json }: CommandContext) {
  if (json) writeJson(io.stdout, view);
  else io.stdout.write(formatRolloutSteps(view));
  return exitCodes.ok;
}
