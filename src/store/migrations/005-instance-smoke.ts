import type { Kysely } from 'kysely';

/** When an instance passed its smoke checks: it keeps its place in the router across restarts. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('instances').addColumn('smoke_passed_at', 'text').execute();
}
