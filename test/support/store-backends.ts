import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { openPostgres } from '../../src/store/open-postgres.js';
import { openSqlite } from '../../src/store/open-sqlite.js';
import type { Database } from '../../src/store/schema.js';
import { createPostgresDatabase, postgresUnavailable } from './postgres.js';

/** A fresh, migrated store for one test: a real database, removed by `close`. */
export interface OpenedStore {
  readonly db: Kysely<Database>;
  close(): Promise<void>;
}

/**
 * A real database engine the Kysely stores run on. Store contract suites run once per backend,
 * so an adapter behaves the same on each; `skip` says why a backend is unavailable here.
 */
export interface StoreBackend {
  readonly name: string;
  readonly skip?: string;
  open(): Promise<OpenedStore>;
}

/** SQLite in a temporary file, as `ferry server --data` uses it. */
export const sqliteBackend: StoreBackend = {
  name: 'sqlite',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-store-'));
    const db = await openSqlite(join(dir, 'ferry.db'));
    return {
      db,
      async close() {
        await db.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

const postgresSkip = await postgresUnavailable();

/**
 * A fresh PostgreSQL database per store, as `ferry server --store postgres://...` uses it; dropped
 * by `close`. Skipped when PostgreSQL is unreachable, except under CI, where the tests fail.
 */
export const postgresBackend: StoreBackend = {
  name: 'postgres',
  ...(postgresSkip === undefined ? {} : { skip: postgresSkip }),
  async open() {
    const database = await createPostgresDatabase();
    const db = await openPostgres(database.url).catch(async (error: unknown) => {
      await database.drop();
      throw error;
    });
    return {
      db,
      async close() {
        await db.destroy();
        await database.drop();
      },
    };
  },
};

/** Every backend the contract suites run against. */
export const storeBackends: readonly StoreBackend[] = [sqliteBackend, postgresBackend];
