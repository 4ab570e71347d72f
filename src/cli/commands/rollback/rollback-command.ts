import { defineCommand } from '../../define-command.js';
import {
  booleanOption,
  requiredArgument,
  requiredString,
  stringOption,
} from '../../option-values.js';
import { runRollback } from './run-rollback.js';

/** `ferry rollback web --env prod [--to v1]`: go back to the previous (or a named) version. */
export const rollbackCommand = defineCommand({
  name: 'rollback',
  summary: 'Roll a service in an environment back to the previous or a given version',
  arguments: [{ name: 'service', description: 'service name from ferry.yaml' }],
  options: [
    { flags: '--env <environment>', description: 'target environment', required: true },
    { flags: '--to <version>', description: 'version to go back to (default: the previous one)' },
    { flags: '--no-wait', description: 'return once the rollback has started' },
    {
      flags: '--force',
      description: 'go back even to a version older than an applied contract migration (recorded)',
    },
  ],
  input: (args, options) => ({
    service: requiredArgument(args, 0),
    environment: requiredString(options, 'env'),
    toVersion: stringOption(options, 'to'),
    wait: booleanOption(options, 'wait'),
    force: booleanOption(options, 'force'),
  }),
  handler: runRollback,
});
