import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';
import { migrateToLatest } from './migrate.js';
import { storeFault } from './store-fault.js';

/**
 * Opens (creating if needed) the embedded store: one SQLite file in WAL mode, checked and
 * migrated. The file is created `0600` (SQLite gives its `-wal` and `-shm` files the same mode).
 * A file that is not a database, is damaged, read-only or on a full disk is a `store_fault`
 * naming the file and what to do, before anything else runs.
 *
 * @example const db = await openSqlite('.ferry/ferry.db')
 */
export async function openSqlite(file: string): Promise<Kysely<Database>> {
  let sqlite: SQLite.Database | undefined;
  try {
    if (file !== ':memory:') {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      writeFileSync(file, '', { flag: 'a', mode: 0o600 });
    }
    sqlite = new SQLite(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 5000');
    const problems = sqlite.pragma('quick_check(3)', { simple: false }) as {
      quick_check: string;
    }[];
    if (problems.some((row) => row.quick_check !== 'ok')) {
      throw Object.assign(new Error(problems.map((row) => row.quick_check).join('; ')), {
        code: 'SQLITE_CORRUPT',
      });
    }
  } catch (error) {
    sqlite?.close();
    throw storeFault(file, error);
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  try {
    await migrateToLatest(db as unknown as Kysely<unknown>);
  } catch (error) {
    await db.destroy();
    throw storeFault(file, error);
  }
  return db;
}
