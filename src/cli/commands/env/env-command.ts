import { defineCommand } from '../../define-command.js';
import { runEnv } from './run-env.js';

/** `ferry env`: services × environments, and what can be promoted onward. */
export const envCommand = defineCommand({
  name: 'env',
  summary:
    'Show each service in each environment: version and digest, since when, health, and whether it can be promoted onward',
  input: () => ({}),
  handler: runEnv,
});
