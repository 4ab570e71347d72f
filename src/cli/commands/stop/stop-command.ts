import { defineCommand } from '../../define-command.js';
import { requiredArgument, requiredString } from '../../option-values.js';
import { runStop } from './run-stop.js';

/** `ferry stop web --env prod`: stop every instance and close the route, until a start or deploy. */
export const stopCommand = defineCommand({
  name: 'stop',
  summary: 'Stop a service in an environment: its instances stop, its route closes',
  arguments: [{ name: 'service', description: 'service name from ferry.yaml' }],
  options: [{ flags: '--env <environment>', description: 'target environment', required: true }],
  input: (args, options) => ({
    service: requiredArgument(args, 0),
    environment: requiredString(options, 'env'),
  }),
  handler: runStop,
});
