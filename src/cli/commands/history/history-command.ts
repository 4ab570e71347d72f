import { defineCommand } from '../../define-command.js';
import {
  numberOption,
  positiveInteger,
  requiredArgument,
  requiredString,
} from '../../option-values.js';
import { runHistory } from './run-history.js';

/** `ferry history web --env prod`: the deployments of a service in an environment. */
export const historyCommand = defineCommand({
  name: 'history',
  summary: 'List deployments and rollbacks of a service in an environment, newest first',
  arguments: [{ name: 'service', description: 'service name from ferry.yaml' }],
  options: [
    { flags: '--env <environment>', description: 'environment', required: true },
    {
      flags: '--limit <n>',
      description: 'at most this many (server default 50)',
      parse: positiveInteger,
    },
  ],
  input: (args, options) => ({
    service: requiredArgument(args, 0),
    environment: requiredString(options, 'env'),
    limit: numberOption(options, 'limit'),
  }),
  handler: runHistory,
});
