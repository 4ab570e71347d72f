import type { TokenRole } from './permissions.js';

export { tokenRoles, type TokenRole } from './permissions.js';

/** Scopes meaning every environment. */
export const allEnvironments: readonly string[] = ['*'];

/**
 * An API token as stored: everything but the secret, of which only a sha256 is kept. The role
 * applies to the environments in `scopes` (`["*"]`: all), so scoped roles need no new meaning.
 */
export interface ApiToken {
  readonly id: string;
  readonly name: string;
  readonly role: TokenRole;
  readonly scopes: readonly string[];
  readonly secretSha256: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly expiresAt: string | null;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

/** What the API and the CLI show of a token: never the secret, nor its hash. */
export type TokenView = Omit<ApiToken, 'secretSha256'>;

export function toTokenView(token: ApiToken): TokenView {
  const { secretSha256: _hidden, ...view } = token;
  return view;
}

/** A token that is neither revoked nor expired at `now` (epoch ms). */
export function isActive(token: ApiToken, now: number): boolean {
  if (token.revokedAt !== null) return false;
  return token.expiresAt === null || Date.parse(token.expiresAt) > now;
}

/** Who made a request: a token, or a tokenless caller on loopback where tokens are optional. */
export type Principal =
  { readonly kind: 'token'; readonly token: TokenView } | { readonly kind: 'local' };

/**
 * The `actor` a principal leaves in events, `created_by` and the audit log: `token:<id>` (ids are
 * unique and never reused, names are not) or `local` for a tokenless call on loopback.
 */
export function actorOf(principal: Principal): string {
  return principal.kind === 'token' ? `token:${principal.token.id}` : 'local';
}
