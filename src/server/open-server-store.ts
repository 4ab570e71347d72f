import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { openPostgres } from '../store/open-postgres.js';
import { openSqlite } from '../store/open-sqlite.js';
import { postgresFault, redactedUrl } from '../store/postgres-fault.js';
import type { Database } from '../store/schema.js';
import { storeFault } from '../store/store-fault.js';
import { checkDatabaseKnowsInstances, checkStorePresent } from './check-store-present.js';

/** The server's open store, and how a store error of it reads to an operator. */
export interface ServerStore {
  readonly db: Kysely<Database>;
  fault(error: unknown): unknown;
}

/**
 * The store `ferry server` runs on: `ferry.db` in the data folder, or the PostgreSQL database at
 * `url` (`--store`, FERRY_STORE). Either way it refuses a store that knows nothing while
 * instances of the data folder still run (see check-store-present.ts).
 */
export async function openServerStore(
  dataDir: string,
  url: string | undefined,
): Promise<ServerStore> {
  if (url === undefined) {
    const file = join(dataDir, 'ferry.db');
    checkStorePresent(dataDir, file);
    return { db: await openSqlite(file), fault: (error) => storeFault(file, error) };
  }
  const db = await openPostgres(url);
  try {
    await checkDatabaseKnowsInstances(dataDir, `PostgreSQL store ${redactedUrl(url)}`, db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return { db, fault: (error) => postgresFault(url, error) };
}
