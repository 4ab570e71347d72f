import { writeJson } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';
import { formatRolloutView } from './format-rollout-view.js';
import type { GetRolloutInput } from './rollout-input.js';
import { watchRollout } from './watch-rollout.js';

/** `ferry rollout get`: the view once, or `--watch`ed. `--json`: the API's RolloutView. */
export async function getRollout(input: GetRolloutInput, context: CommandContext) {
  if (input.watch) return watchRollout(input, context);
  const { io, json } = context;
  const view = await context.client().rollout(input.service, input.environment);
  if (json) writeJson(io.stdout, view);
  else io.stdout.write(formatRolloutView(view));
  return exitCodes.ok;
}
