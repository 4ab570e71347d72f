import type { Kysely } from 'kysely';
import { int64 } from '../portable-columns.js';

/**
 * Leases on a service/environment (`key` = `service/environment`): the server named by `owner`
 * advances that scope's rollout until `expires_at`, and renews the lease while it works. Times are
 * epoch milliseconds so that SQLite and PostgreSQL compare them the same way in one statement.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('scope_leases')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('expires_at', int64(db), (c) => c.notNull())
    .addColumn('acquired_at', int64(db), (c) => c.notNull())
    .addColumn('renewed_at', int64(db), (c) => c.notNull())
    .execute();
}
