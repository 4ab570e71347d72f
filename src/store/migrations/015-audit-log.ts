import { sql, type Kysely } from 'kysely';
import { appendOnlyTriggers, identity, int64 } from '../portable-columns.js';

/**
 * The audit log: one row per mutating API call, refused ones too. Append-only: triggers make
 * the database refuse every UPDATE and DELETE of a row, whoever sends it. `target`,
 * `parameters`, `before` and `after` are JSON text.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_log')
    .addColumn('id', int64(db), identity(db))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('actor_name', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('parameters', 'text', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
  for (const statement of appendOnlyTriggers(db, 'audit_log')) await sql.raw(statement).execute(db);
}
