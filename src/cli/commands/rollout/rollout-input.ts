import { rolloutActions } from '../../../features/deployments/rollout-service.js';
import type { RolloutAction } from '../../api-types.js';
import type { OptionValues } from '../../define-command.js';
import { booleanOption, requiredArgument, requiredString } from '../../option-values.js';
import { UsageError } from '../../usage-error.js';

/** What `ferry rollout <action>` accepts: `get`, then the server's actions. */
export const rolloutCommandActions = ['get', ...rolloutActions] as const;
export type RolloutCommandAction = (typeof rolloutCommandActions)[number];

/** `get, promote, abort, retry, pause or resume`, for help and errors. */
export const rolloutActionList = `${rolloutCommandActions.slice(0, -1).join(', ')} or ${rolloutCommandActions.at(-1)}`;

/** `ferry rollout get web --env prod [--watch]`. */
export interface GetRolloutInput {
  readonly action: 'get';
  readonly service: string;
  readonly environment: string;
  readonly watch: boolean;
}

/** `ferry rollout promote|abort|retry|pause|resume web --env prod [--full] [--wait]`. */
export interface ActOnRolloutInput {
  readonly action: RolloutAction;
  readonly service: string;
  readonly environment: string;
  /** Only with promote: skip every remaining step. */
  readonly full: boolean;
  /** Only with promote, resume and retry: follow the rollout until it ends or pauses. */
  readonly wait: boolean;
}

/** The actions after which a rollout moves on by itself, so `--wait` can follow it. */
const followable: readonly string[] = ['promote', 'resume', 'retry'];

export type RolloutInput = GetRolloutInput | ActOnRolloutInput;

/** Checks the action and that `--watch` and `--full` go with the action they belong to. */
export function rolloutInput(
  args: readonly (string | undefined)[],
  options: OptionValues,
): RolloutInput {
  const action = requiredArgument(args, 0);
  const service = requiredArgument(args, 1);
  const environment = requiredString(options, 'env');
  const watch = booleanOption(options, 'watch');
  const full = booleanOption(options, 'full');
  const wait = booleanOption(options, 'wait');
  if (!isAction(action)) {
    throw new UsageError(`unknown rollout action "${action}"; expected ${rolloutActionList}`);
  }
  if (watch && action !== 'get') {
    throw new UsageError(`--watch goes with "ferry rollout get", not "${action}"`);
  }
  if (full && action !== 'promote') {
    throw new UsageError(`--full goes with "ferry rollout promote", not "${action}"`);
  }
  if (wait && !followable.includes(action)) {
    throw new UsageError(`--wait goes with promote, resume or retry, not "${action}"`);
  }
  return action === 'get'
    ? { action, service, environment, watch }
    : { action, service, environment, full, wait };
}

function isAction(value: string): value is RolloutCommandAction {
  return (rolloutCommandActions as readonly string[]).includes(value);
}
