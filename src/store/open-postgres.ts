import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { migrateToLatest } from './migrate.js';
import { postgresFault } from './postgres-fault.js';

/**
 * `bigint` columns and counts come back as numbers, as SQLite's 64-bit integers do: Ferry's are
 * pids, ticks, sizes and ids, all far below 2^53.
 */
function numericInt8(): pg.TypeOverrides {
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, Number);
  return types;
}

/**
 * Opens the store in a PostgreSQL database (`ferry server --store postgres://...`), checked and
 * migrated with the same migrations as SQLite. A server it cannot reach or log in to, a missing
 * database or a user who may not create tables is a `store_fault` naming the store (never its
 * password) and what to do, before anything else runs.
 *
 * @example const db = await openPostgres('postgres://ferry@127.0.0.1:5432/ferry')
 */
export async function openPostgres(url: string): Promise<Kysely<Database>> {
  const pool = new pg.Pool({ connectionString: url, types: numericInt8(), max: 10 });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
    await migrateToLatest(db as unknown as Kysely<unknown>);
  } catch (error) {
    await db.destroy();
    throw postgresFault(url, error);
  }
  return db;
}
