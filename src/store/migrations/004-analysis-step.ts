import type { Kysely } from 'kysely';
import { int64 } from '../portable-columns.js';

/**
 * The rollout step a measurement was taken at, and who let a rollout go on past an Inconclusive
 * run (its verdict stays as it was).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('analysis_measurements').addColumn('step', int64(db)).execute();
  await db.schema.alterTable('analysis_runs').addColumn('overridden_by', 'text').execute();
}
