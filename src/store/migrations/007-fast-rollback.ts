import type { Kysely } from 'kysely';
import { int64 } from '../portable-columns.js';

/**
 * Whether a deployment is a fast rollback (to a version within `rollbackWindow`): it skips the
 * strategy's steps and analysis, and a restarted controller carries it on the same way.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('deployments')
    .addColumn('fast_rollback', int64(db), (column) => column.notNull().defaultTo(0))
    .execute();
}
