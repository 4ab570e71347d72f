import type { OptionValues } from '../../define-command.js';
import { stringOption } from '../../option-values.js';
import { UsageError } from '../../usage-error.js';

/** `ferry migrations status [--env E] [--service S]`. */
export interface MigrationsStatusInput {
  readonly action: 'status';
  readonly environment: string | undefined;
  readonly service: string | undefined;
}

/** `ferry migrations contract <service> --env E`. */
export interface ContractMigrationsInput {
  readonly action: 'contract';
  readonly service: string;
  readonly environment: string;
}

export type MigrationsInput = MigrationsStatusInput | ContractMigrationsInput;

/** Checks the action and what each needs. */
export function migrationsInput(
  args: readonly (string | undefined)[],
  options: OptionValues,
): MigrationsInput {
  const [action, service] = args;
  const environment = stringOption(options, 'env');
  if (action === 'status') {
    if (service !== undefined) {
      throw new UsageError(`ferry migrations status takes no <service>; use --service ${service}`);
    }
    return { action, environment, service: stringOption(options, 'service') };
  }
  if (action === 'contract') {
    if (service === undefined || environment === undefined) {
      throw new UsageError(
        'ferry migrations contract needs <service> and --env, such as: ferry migrations contract web --env prod',
      );
    }
    if (stringOption(options, 'service') !== undefined) {
      throw new UsageError(
        '--service goes with "ferry migrations status"; contract takes <service>',
      );
    }
    return { action, service, environment };
  }
  throw new UsageError(`unknown migrations action "${action ?? ''}"; expected status or contract`);
}
