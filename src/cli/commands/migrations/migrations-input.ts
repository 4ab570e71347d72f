import type { OptionValues } from '../../define-command.js';
import { requiredArgument } from '../../option-values.js';
import { UsageError } from '../../usage-error.js';

export const migrationsActions = ['lint'] as const;

/** `ferry migrations lint <dir|file...>`. */
export interface LintMigrationsInput {
  readonly action: 'lint';
  readonly paths: readonly string[];
}

export type MigrationsInput = LintMigrationsInput;

/** Checks the action and that it has the arguments it needs. */
export function migrationsInput(
  args: readonly (string | undefined)[],
  _options: OptionValues,
): MigrationsInput {
  const action = requiredArgument(args, 0);
  const rest = args.slice(1).filter((arg): arg is string => arg !== undefined);
  switch (action) {
    case 'lint':
      if (rest.length === 0) {
        throw new UsageError('ferry migrations lint needs a migrations folder or .sql files');
      }
      return { action, paths: rest };
    default:
      throw new UsageError(
        `unknown migrations action "${action}"; expected ${migrationsActions.join(', ')}`,
      );
  }
}
