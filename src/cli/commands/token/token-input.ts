import {
  parseTokenLifetime,
  tokenLifetimeHint,
} from '../../../features/auth/domain/token-lifetime.js';
import { tokenRoles, type TokenRole } from '../../../features/auth/domain/permissions.js';
import type { OptionValues } from '../../define-command.js';
import { requiredArgument, stringOption } from '../../option-values.js';
import { UsageError } from '../../usage-error.js';

export const tokenActions = ['create', 'list', 'revoke'] as const;

/** `ferry token create <name> [--expires 30d]`. */
export interface CreateTokenInput {
  readonly action: 'create';
  readonly name: string;
  readonly expiresIn: string | undefined;
  /** `--role`; the server's default (admin) when not given. */
  readonly role: TokenRole | undefined;
  /** `--env`, repeatable; every environment when none. */
  readonly environments: readonly string[];
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

/** Commander value parser for the repeatable `--env <name>`. */
export function collectEnvironment(value: string, previous?: unknown): string[] {
  return [...((previous as string[] | undefined) ?? []), value];
}

/** Checks the action, that it has the argument it needs, `--expires`, `--role` and `--env`. */
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
  const roleText = stringOption(options, 'role');
  const role = tokenRoles.find((r) => r === roleText);
  if (roleText !== undefined && role === undefined) {
    throw new UsageError(`--role "${roleText}": expected one of ${tokenRoles.join(', ')}`);
  }
  const environments = (options['env'] as string[] | undefined) ?? [];
  if ((roleText !== undefined || environments.length > 0) && action !== 'create') {
    throw new UsageError(`--role and --env go with "ferry token create", not "${action}"`);
  }
  switch (action) {
    case 'create':
      if (target === undefined) throw new UsageError('ferry token create needs a name');
      return { action, name: target, expiresIn, role, environments } satisfies TokenInput;
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
