import type { Kysely } from 'kysely';

/**
 * Gate results: evidence CI attaches to an artifact (`tests passed`, `coverage=83.2`). Rows are
 * only ever inserted; a newer report of a gate supersedes an older one when read, and both stay.
 * `values` is a JSON object of numbers. Looked up by the artifact: service and digest.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('gate_results')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('values', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('reporter', 'text', (c) => c.notNull())
    .addColumn('reported_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('gate_results_artifact')
    .on('gate_results')
    .columns(['service', 'digest'])
    .execute();
}
