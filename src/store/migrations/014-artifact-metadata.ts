import type { Kysely } from 'kysely';

/**
 * Artifacts carry the build metadata CI pushes with them: `branch`, `build_url` and `meta` (a JSON
 * object of string to string; null reads as `{}`). Existing rows keep nulls. Deployments get an
 * index on their artifact, for "where did this artifact run" and retention.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('artifacts').addColumn('branch', 'text').execute();
  await db.schema.alterTable('artifacts').addColumn('build_url', 'text').execute();
  await db.schema.alterTable('artifacts').addColumn('meta', 'text').execute();
  await db.schema
    .createIndex('deployments_by_artifact')
    .on('deployments')
    .columns(['service', 'artifact_digest'])
    .execute();
}
