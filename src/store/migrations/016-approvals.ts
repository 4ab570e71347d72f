import type { Kysely } from 'kysely';

/**
 * Approvals: a high-risk change waiting for people, and each person's decision on it. An
 * approval row is written once and settled once (`status` leaves `pending` and never changes
 * again); a decision is only inserted, one per person per approval (the primary key says so).
 * `requirement` and `reasons` are JSON text.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('approvals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('deployment_id', 'text', (c) => c.notNull())
    .addColumn('gate', 'text')
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('requirement', 'text', (c) => c.notNull())
    .addColumn('reasons', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text')
    .addColumn('settled_at', 'text')
    .execute();
  await db.schema.createIndex('approvals_status').on('approvals').columns(['status']).execute();
  await db.schema
    .createIndex('approvals_deployment')
    .on('approvals')
    .columns(['deployment_id'])
    .execute();
  await db.schema
    .createTable('approval_decisions')
    .addColumn('approval_id', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('comment', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('approval_decisions_pk', ['approval_id', 'actor'])
    .execute();
}
