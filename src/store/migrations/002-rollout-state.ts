import type { Kysely } from 'kysely';

/** Canary and blue-green progress (step, promotion, abort, switch) as JSON on the deployment. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('deployments').addColumn('rollout', 'text').execute();
}
