import { defineCommand } from '../../define-command.js';
import { actOnRollout } from './act-on-rollout.js';
import { getRollout } from './get-rollout.js';
import { rolloutActionList, rolloutInput } from './rollout-input.js';

/**
 * `ferry rollout get web --env prod [--watch]`: steps, traffic split and per-track numbers.
 * `ferry rollout promote|abort|retry|pause|resume web --env prod [--full] [--wait]`: a person's
 * hand on it.
 */
export const rolloutCommand = defineCommand({
  name: 'rollout',
  summary: 'Show or steer a rollout: get, promote, abort, retry, pause, resume',
  arguments: [
    { name: 'action', description: rolloutActionList },
    { name: 'service', description: 'service name from ferry.yaml' },
  ],
  options: [
    { flags: '--env <environment>', description: 'target environment', required: true },
    { flags: '--watch', description: 'get: refresh every second until interrupted' },
    { flags: '--full', description: 'promote: skip every remaining step' },
    {
      flags: '--wait',
      description:
        'promote, resume, retry: follow the rollout until it ends or pauses, as deploy does',
    },
  ],
  input: rolloutInput,
  handler: (input, context) =>
    input.action === 'get' ? getRollout(input, context) : actOnRollout(input, context),
});
