import { defineCommand } from '../../define-command.js';
import { booleanOption, numberOption, positiveInteger, stringOption } from '../../option-values.js';
import { UsageError } from '../../usage-error.js';
import { runLogs, type LogsInput } from './run-logs.js';

/** `ferry logs web --env prod` or `ferry logs --instance <id>`: recent output of instances. */
export const logsCommand = defineCommand({
  name: 'logs',
  summary:
    "Print recent stdout/stderr lines of a service's instances (starting and failed too), or of one",
  arguments: [{ name: 'service', description: 'service name from ferry.yaml', optional: true }],
  options: [
    { flags: '--env <environment>', description: 'environment (with <service>)' },
    { flags: '--instance <id>', description: 'one instance instead of a service' },
    {
      flags: '--lines <n>',
      description: 'lines per instance (server default 100)',
      parse: positiveInteger,
    },
    { flags: '-f, --follow', description: 'keep printing new lines until interrupted' },
  ],
  input: (args, options): LogsInput => {
    const lines = numberOption(options, 'lines');
    const follow = booleanOption(options, 'follow');
    const instance = stringOption(options, 'instance');
    const [service] = args;
    const environment = stringOption(options, 'env');
    if (instance !== undefined) {
      if (service !== undefined)
        throw new UsageError('give either <service> --env <env> or --instance <id>, not both');
      return { kind: 'instance', id: instance, lines, follow };
    }
    if (service === undefined) throw new UsageError('missing <service> (or --instance <id>)');
    if (environment === undefined)
      throw new UsageError("required option '--env <environment>' not specified");
    return { kind: 'service', service, environment, lines, follow };
  },
  handler: runLogs,
});
