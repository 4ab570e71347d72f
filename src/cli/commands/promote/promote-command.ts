import { defineCommand } from '../../define-command.js';
import { emergencyFlag, emergencyOption } from '../../emergency-option.js';
import { booleanOption, requiredString } from '../../option-values.js';
import { UsageError } from '../../usage-error.js';
import { runPromote, type PromoteInput } from './run-promote.js';

/** `ferry promote web --to prod [--dry-run]`, `ferry promote --all --to prod`. */
export const promoteCommand = defineCommand({
  name: 'promote',
  summary:
    "Deploy the version live and healthy in an environment's `from` into it, or say every reason it cannot",
  arguments: [{ name: 'service', description: 'service name from ferry.yaml', optional: true }],
  options: [
    { flags: '--to <environment>', description: 'environment to promote into', required: true },
    { flags: '--all', description: 'every service, in the order ferry.yaml declares them' },
    { flags: '--group <name>', description: 'the services of a group in ferry.yaml, in its order' },
    { flags: '--dry-run', description: 'print the plan and change nothing' },
    emergencyFlag,
    { flags: '--no-wait', description: 'return once the rollout has started' },
  ],
  input: (args, options): PromoteInput => {
    const all = booleanOption(options, 'all');
    const group = typeof options['group'] === 'string' ? options['group'] : undefined;
    const service = args[0];
    const given = [all, group !== undefined, service !== undefined].filter(Boolean).length;
    if (given > 1) throw new UsageError('give one of <service>, --all or --group');
    if (given === 0) throw new UsageError('missing <service> (or --all, or --group <name>)');
    return {
      services: all ? 'all' : group !== undefined ? { group } : [service ?? ''],
      to: requiredString(options, 'to'),
      dryRun: booleanOption(options, 'dryRun'),
      wait: booleanOption(options, 'wait'),
      emergency: emergencyOption(options),
    };
  },
  handler: runPromote,
});
