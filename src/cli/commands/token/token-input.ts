import {
  parseTokenLifetime,
  tokenLifetimeHint,
} from '../../../features/auth/domain/token-lifetime.js';
import type { OptionValues } from '../../define-command.js';
import { requiredArgument, stringOption } from '../../option-values.js';
import { UsageError } from '../../usage-error.js';

export const tokenActions = ['create', 'list', 'revoke'] as const;

/** `ferry token create <name> [--expires 30d]`. */
export interface CreateTokenInput {
  readonly action: 'create';
  readonly name: string;
  readonly expiresIn: string | undefined;
}

/** `ferry token list`. */
export interface ListTokensInput {
  readonly action: 'list';
}

/** `ferry token revoke <id>`. */
export interface RevokeTokenInput {
  readonly action: 'revoke';
  readonly id: string;
}

export type TokenInput = CreateTokenInput | ListTokensInput | RevokeTokenInput;

/** Checks the action, that it has the argument it needs, and `--expires`. */
export function tokenInput(args: readonly (string | undefined)[], options: OptionValues) {
  const action = requiredArgument(args, 0);
  const target = args[1];
  const expiresIn = stringOption(options, 'expires');
  if (expiresIn !== undefined && parseTokenLifetime(expiresIn) === undefined) {
    throw new UsageError(`--expires "${expiresIn}": expected ${tokenLifetimeHint}`);
  }
  if (expiresIn !== undefined && action !== 'create') {
    throw new UsageError(`--expires goes with "ferry token create", not "${action}"`);
  }
  switch (action) {
    case 'create':
      if (target === undefined) throw new UsageError('ferry token create needs a name');
      return { action, name: target, expiresIn } satisfies TokenInput;
    case 'list':
      if (target !== undefined) throw new UsageError('ferry token list takes no argument');
      return { action } satisfies TokenInput;
    case 'revoke':
      if (target === undefined) throw new UsageError('ferry token revoke needs a token id');
      return { action, id: target } satisfies TokenInput;
    default:
      throw new UsageError(`unknown token action "${action}"; expected create, list or revoke`);
  }
}
