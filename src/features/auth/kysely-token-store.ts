import type { Kysely, Selectable } from 'kysely';
import type { ApiTokenTable, Database } from '../../store/schema.js';
import { tokenRoles, type ApiToken, type TokenRole } from './domain/api-token.js';
import type { TokenStore } from './token-store.js';

export class KyselyTokenStore implements TokenStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(id: string): Promise<ApiToken | undefined> {
    const row = await this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toToken(row);
  }

  async insert(t: ApiToken): Promise<void> {
    await this.db
      .insertInto('api_tokens')
      .values({
        id: t.id,
        name: t.name,
        role: t.role,
        scopes: JSON.stringify(t.scopes),
        secret_sha256: t.secretSha256,
        created_at: t.createdAt,
        created_by: t.createdBy,
        expires_at: t.expiresAt,
        last_used_at: t.lastUsedAt,
        revoked_at: t.revokedAt,
      })
      .execute();
  }

  async list(): Promise<readonly ApiToken[]> {
    const rows = await this.db
      .selectFrom('api_tokens')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toToken);
  }

  async revoke(id: string, at: string): Promise<ApiToken | undefined> {
    await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
    return this.get(id);
  }

  async touch(id: string, at: string): Promise<void> {
    await this.db
      .updateTable('api_tokens')
      .set({ last_used_at: at })
      .where('id', '=', id)
      .execute();
  }
}

function toToken(row: Selectable<ApiTokenTable>): ApiToken {
  return {
    id: row.id,
    name: row.name,
    role: toRole(row.role),
    scopes: JSON.parse(row.scopes) as string[],
    secretSha256: row.secret_sha256,
    createdAt: row.created_at,
    createdBy: row.created_by,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

function toRole(text: string): TokenRole {
  const role = tokenRoles.find((r) => r === text);
  if (!role) throw new Error(`api_tokens: unknown role "${text}"`);
  return role;
}
