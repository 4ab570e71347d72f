import { compareText, copyRow, duplicateKey } from '../../store/in-memory-rows.js';
import type { ApiToken } from './domain/api-token.js';
import type { TokenStore } from './token-store.js';

/** TokenStore in memory, for tests. */
export class InMemoryTokenStore implements TokenStore {
  private readonly tokens = new Map<string, ApiToken>();

  async get(id: string): Promise<ApiToken | undefined> {
    const token = this.tokens.get(id);
    return token && copyRow(token);
  }

  async insert(token: ApiToken): Promise<void> {
    if (this.tokens.has(token.id)) throw duplicateKey('api_tokens', token.id);
    this.tokens.set(token.id, copyRow(token));
  }

  async list(): Promise<readonly ApiToken[]> {
    return [...this.tokens.values()]
      .sort((a, b) => compareText(a.createdAt, b.createdAt) || compareText(a.id, b.id))
      .map(copyRow);
  }

  async revoke(id: string, at: string): Promise<ApiToken | undefined> {
    const token = this.tokens.get(id);
    if (token && token.revokedAt === null) this.tokens.set(id, { ...token, revokedAt: at });
    return this.get(id);
  }

  async touch(id: string, at: string): Promise<void> {
    const token = this.tokens.get(id);
    if (token) this.tokens.set(id, { ...token, lastUsedAt: at });
  }
}
