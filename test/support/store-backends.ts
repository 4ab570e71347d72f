import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { openSqlite } from '../../src/store/open-sqlite.js';
import type { Database } from '../../src/store/schema.js';

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

/** Every backend the contract suites run against. */
export const storeBackends: readonly StoreBackend[] = [sqliteBackend];
