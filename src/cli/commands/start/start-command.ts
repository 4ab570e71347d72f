import { defineCommand } from '../../define-command.js';
import { booleanOption, requiredArgument, requiredString } from '../../option-values.js';
import { runStart } from './run-start.js';

/** `ferry start web --env prod`: run a stopped service again, with the version it ran last. */
export const startCommand = defineCommand({
  name: 'start',
  summary: 'Start a stopped service in an environment again, with the version it ran last',
  arguments: [{ name: 'service', description: 'service name from ferry.yaml' }],
  options: [
    { flags: '--env <environment>', description: 'target environment', required: true },
    { flags: '--no-wait', description: 'return once the start has begun' },
  ],
  input: (args, options) => ({
    service: requiredArgument(args, 0),
    environment: requiredString(options, 'env'),
    wait: booleanOption(options, 'wait'),
  }),
  handler: runStart,
});
