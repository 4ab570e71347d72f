import type { ApiToken } from './domain/api-token.js';

/** Persistence port for API tokens. */
export interface TokenStore {
  get(id: string): Promise<ApiToken | undefined>;
  insert(token: ApiToken): Promise<void>;
  /** Every token, revoked and expired ones too, oldest first. */
  list(): Promise<readonly ApiToken[]>;
  /** Sets `revokedAt` unless already set; returns the token as it now is. */
  revoke(id: string, at: string): Promise<ApiToken | undefined>;
  touch(id: string, at: string): Promise<void>;
}
