import type { Kysely } from 'kysely';
import { identity, int64 } from '../portable-columns.js';

/**
 * Append-only: never change what a shipped migration does to a SQLite store, add the next one
 * (`int64` and `identity` write exactly the SQLite types this migration always wrote).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('events')
    .addColumn('id', int64(db), identity(db))
    .addColumn('time', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_subject').on('events').column('subject').execute();

  await db.schema
    .createTable('artifacts')
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('source_commit', 'text')
    .addColumn('size_bytes', int64(db), (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('artifacts_pk', ['service', 'version'])
    .execute();

  await db.schema
    .createTable('deployments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('artifact_digest', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('previous_id', 'text')
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('last_progress_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema
    .createIndex('deployments_target')
    .on('deployments')
    .columns(['service', 'environment', 'created_at'])
    .execute();

  await db.schema
    .createTable('instances')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('deployment_id', 'text', (c) => c.notNull())
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('artifact_digest', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('pid', int64(db))
    .addColumn('pgid', int64(db))
    .addColumn('pid_start_ticks', int64(db))
    .addColumn('port', int64(db))
    .addColumn('log_path', 'text')
    .addColumn('restarts', int64(db), (c) => c.notNull().defaultTo(0))
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('instances_target')
    .on('instances')
    .columns(['service', 'environment'])
    .execute();
}
