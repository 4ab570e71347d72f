import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import type { Lease, LeaseStore } from './lease-store.js';

/**
 * LeaseStore on SQLite or PostgreSQL. `tryAcquire` is one `INSERT ... ON CONFLICT DO UPDATE ...
 * WHERE`: PostgreSQL locks the conflicting row and checks the condition on its latest version,
 * SQLite runs writes one at a time, so of two racing servers exactly one gets its row back.
 */
export class KyselyLeaseStore implements LeaseStore {
  constructor(private readonly db: Kysely<Database>) {}

  async tryAcquire(key: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    const won = await this.db
      .insertInto('scope_leases')
      .values({ key, owner, expires_at: now + ttlMs, acquired_at: now, renewed_at: now })
      .onConflict((conflict) =>
        conflict
          .column('key')
          .doUpdateSet((eb) => ({
            owner: eb.ref('excluded.owner'),
            expires_at: eb.ref('excluded.expires_at'),
            renewed_at: eb.ref('excluded.renewed_at'),
            // Re-acquiring one's own lease keeps when it was first taken.
            acquired_at: eb
              .case()
              .when('scope_leases.owner', '=', owner)
              .then(eb.ref('scope_leases.acquired_at'))
              .else(eb.ref('excluded.acquired_at'))
              .end(),
          }))
          .where((eb) =>
            eb.or([eb('scope_leases.owner', '=', owner), eb('scope_leases.expires_at', '<=', now)]),
          ),
      )
      .returning('owner')
      .executeTakeFirst();
    return won !== undefined;
  }

  async renew(key: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('scope_leases')
      .set({ expires_at: now + ttlMs, renewed_at: now })
      .where('key', '=', key)
      .where('owner', '=', owner)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async release(key: string, owner: string): Promise<void> {
    await this.db
      .deleteFrom('scope_leases')
      .where('key', '=', key)
      .where('owner', '=', owner)
      .execute();
  }

  async get(key: string): Promise<Lease | undefined> {
    const row = await this.db
      .selectFrom('scope_leases')
      .selectAll()
      .where('key', '=', key)
      .executeTakeFirst();
    return row
      ? {
          key: row.key,
          owner: row.owner,
          expiresAt: Number(row.expires_at),
          acquiredAt: Number(row.acquired_at),
          renewedAt: Number(row.renewed_at),
        }
      : undefined;
  }
}
