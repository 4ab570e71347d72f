import type { Kysely } from 'kysely';

/**
 * Services a person stopped in an environment (`ferry stop`): one row while stopped, removed by
 * `ferry start` or a deploy. A restarted server reads it, so it never brings a stopped service back.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('service_stops')
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('stopped_at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('service_stops_pk', ['service', 'environment'])
    .execute();
}
