import { PostgresAdapter, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

/**
 * The column types migrations use where SQLite and PostgreSQL differ; the only place a migration
 * looks at the dialect. On SQLite they are what the migrations always wrote, so stores created
 * before PostgreSQL support and new ones have the same schema.
 */
function onPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * A 64-bit integer: SQLite's `integer` is one, PostgreSQL's is 32-bit (a pid's start ticks pass
 * 2^31 after 248 days of uptime), so PostgreSQL gets `bigint`, which the pg pool reads as a number.
 */
export function int64(db: Kysely<unknown>): 'integer' | 'bigint' {
  return onPostgres(db) ? 'bigint' : 'integer';
}

/**
 * A generated primary key: `integer primary key autoincrement` on SQLite (ids never reused),
 * an identity column on PostgreSQL, which has no `autoincrement`.
 *
 * @example db.schema.createTable('events').addColumn('id', int64(db), identity(db))
 */
export function identity(
  db: Kysely<unknown>,
): (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder {
  return onPostgres(db)
    ? (column) => column.primaryKey().generatedByDefaultAsIdentity()
    : (column) => column.primaryKey().autoIncrement();
}

/**
 * Statements that make `table` append-only: the database itself refuses UPDATE and DELETE
 * (`RAISE(ABORT)` in a SQLite trigger, a PL/pgSQL trigger function on PostgreSQL).
 */
export function appendOnlyTriggers(db: Kysely<unknown>, table: string): readonly string[] {
  const message = `${table} is append-only`;
  if (onPostgres(db)) {
    return [
      `CREATE FUNCTION ${table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '${message}: % refused', TG_OP; END $$`,
      `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${table}_append_only()`,
      // TRUNCATE bypasses row triggers; refuse it as well.
      `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ${table}_append_only()`,
    ];
  }
  return ['UPDATE', 'DELETE'].map(
    (op) =>
      `CREATE TRIGGER ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table} BEGIN SELECT RAISE(ABORT, '${message}: ${op} refused'); END`,
  );
}
