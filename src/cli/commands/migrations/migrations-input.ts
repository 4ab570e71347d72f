import type { OptionValues } from '../../define-command.js';
import { stringOption } from '../../option-values.js';
import { UsageError } from '../../usage-error.js';

export const migrationsActions = ['lint', 'status', 'contract'] as const;

/** `ferry migrations lint <dir|file...>`. */
export interface LintMigrationsInput {
  readonly action: 'lint';
  readonly paths: readonly string[];
}

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

export type MigrationsInput = LintMigrationsInput | MigrationsStatusInput | ContractMigrationsInput;

/** Checks the action and what each needs. */
export function migrationsInput(
  args: readonly (string | undefined)[],
  options: OptionValues,
): MigrationsInput {
  const [action] = args;
  const rest = args.slice(1).filter((arg): arg is string => arg !== undefined);
  const environment = stringOption(options, 'env');
  switch (action) {
    case 'lint':
      if (rest.length === 0) {
        throw new UsageError('ferry migrations lint needs a migrations folder or .sql files');
      }
      return { action, paths: rest };
    case 'status':
      if (rest.length > 0) {
        throw new UsageError(
          `ferry migrations status takes no <service>; use --service ${rest[0]}`,
        );
      }
      return { action, environment, service: stringOption(options, 'service') };
    case 'contract': {
      const [service, ...extra] = rest;
      if (service === undefined || environment === undefined) {
        throw new UsageError(
          'ferry migrations contract needs <service> and --env, such as: ferry migrations contract web --env prod',
        );
      }
      if (extra.length > 0) {
        throw new UsageError(
          `ferry migrations contract takes one <service>, not ${rest.join(' ')}`,
        );
      }
      if (stringOption(options, 'service') !== undefined) {
        throw new UsageError(
          '--service goes with "ferry migrations status"; contract takes <service>',
        );
      }
      return { action, service, environment };
    }
    default:
      throw new UsageError(
        `unknown migrations action "${action ?? ''}"; expected ${migrationsActions.join(', ')}`,
      );
  }
}
