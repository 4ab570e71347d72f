import { defineCommand, type OptionValues } from '../../define-command.js';
import { UsageError } from '../../usage-error.js';
import { emergencyFlag, emergencyOption } from '../../emergency-option.js';
import {
  booleanOption,
  requiredArgument,
  requiredString,
  stringOption,
} from '../../option-values.js';
import { runDeploy } from './run-deploy.js';

/**
 * `ferry deploy web --env prod --dir ./app --version v2`: upload, roll out, follow. Without
 * `--dir`, the version must have been pushed before (`ferry artifact push`).
 */
export const deployCommand = defineCommand({
  name: 'deploy',
  summary:
    'Roll a version of a service out to an environment: one pushed before, or a folder packed now (--dir)',
  arguments: [{ name: 'service', description: 'service name from ferry.yaml' }],
  options: [
    { flags: '--env <environment>', description: 'target environment', required: true },
    {
      flags: '--dir <path>',
      description: 'folder to pack and upload as the version; without it, a version pushed before',
    },
    { flags: '--version <label>', description: 'version label, e.g. v1.2.3', required: true },
    {
      flags: '--force',
      description:
        'deploy into an environment that promotes from another one without promoting, or a version older than an applied contract migration (recorded as forced)',
    },
    emergencyFlag,
    {
      flags: '--dry-run',
      description:
        'print what would change, whether the environment would refuse it, and its risk; change nothing (a pushed version)',
    },
    { flags: '--no-wait', description: 'return once the rollout has started' },
  ],
  input: (args, options) => {
    const dryRun = booleanOption(options, 'dryRun');
    if (dryRun && stringOption(options, 'dir') !== undefined) {
      throw new UsageError(
        '--dry-run plans a version pushed before and uploads nothing: push it with "ferry artifact push", or drop --dir',
      );
    }
    return deployInput(args, options, dryRun);
  },
  handler: runDeploy,
});

function deployInput(
  args: readonly (string | undefined)[],
  options: OptionValues,
  dryRun: boolean,
) {
  return {
    dryRun,
    service: requiredArgument(args, 0),
    environment: requiredString(options, 'env'),
    dir: stringOption(options, 'dir'),
    version: requiredString(options, 'version'),
    wait: booleanOption(options, 'wait'),
    force: booleanOption(options, 'force'),
    emergency: emergencyOption(options),
  };
}
