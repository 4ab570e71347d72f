import { defineCommand } from '../../define-command.js';
import { booleanOption, requiredString } from '../../option-values.js';
import { runApply } from './run-apply.js';

/** `ferry apply -f ferry.yaml [--prune] [--dry-run]`: change the running configuration. */
export const applyCommand = defineCommand({
  name: 'apply',
  summary:
    'Validate a ferry.yaml, show how it differs from what the server runs, and apply it without a restart',
  options: [
    { flags: '-f, --file <path>', description: 'the config file', default: 'ferry.yaml' },
    {
      flags: '--prune',
      description: 'stop services (and close routes) the file removes while they still run',
    },
    { flags: '--dry-run', description: 'print the plan and change nothing' },
  ],
  input: (_args, options) => ({
    file: requiredString(options, 'file'),
    prune: booleanOption(options, 'prune'),
    dryRun: booleanOption(options, 'dryRun'),
  }),
  handler: runApply,
});
