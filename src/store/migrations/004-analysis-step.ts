import type { Kysely } from 'kysely';

/**
 * The rollout step a measurement was taken at, and who let a rollout go on past an Inconclusive
 * run (its verdict stays as it was).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('analysis_measurements').addColumn('step', 'integer').execute();
  await db.schema.alterTable('analysis_runs').addColumn('overridden_by', 'text').execute();
}
