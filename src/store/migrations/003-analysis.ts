import type { Kysely } from 'kysely';
import { identity, int64 } from '../portable-columns.js';

/** Analysis runs of a deployment and every measurement they took. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('analysis_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('deployment_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('templates', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('message', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema
    .createIndex('analysis_runs_deployment')
    .on('analysis_runs')
    .column('deployment_id')
    .execute();

  await db.schema
    .createTable('analysis_measurements')
    .addColumn('id', int64(db), identity(db))
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('message', 'text')
    .addColumn('sample_size', int64(db))
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('analysis_measurements_run')
    .on('analysis_measurements')
    .column('run_id')
    .execute();
}
