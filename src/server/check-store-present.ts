import { statSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { FerryError } from '../errors/ferry-error.js';
import { instanceProcesses } from '../runtime/local/orphan-processes.js';
import type { Database } from '../store/schema.js';

/**
 * Refuses to start on a missing (or empty) `ferry.db` while instances of the data folder still
 * run: a fresh store knows none of them, and the runtime's orphan sweep would kill them all.
 * Ferry never kills them silently; the operator restores the store or stops them.
 *
 * @example checkStorePresent('/srv/app/.ferry', '/srv/app/.ferry/ferry.db')
 */
export function checkStorePresent(dataDir: string, dbFile: string): void {
  if (hasContent(dbFile)) return;
  const pids = instanceProcesses(dataDir).map((p) => p.pid);
  if (pids.length === 0) return;
  throw new FerryError(
    'store_fault',
    `${dbFile} is missing, but ${running(pids)}: restore ferry.db from a backup, ` +
      `or stop them (kill ${pids.join(' ')}) and start again`,
    { extra: { file: dbFile, pids } },
  );
}

/**
 * The same refusal for a PostgreSQL store, which has no file to miss: a database without a single
 * deployment (new, or not the one this data folder used) while instances of the folder still run.
 *
 * @example await checkDatabaseKnowsInstances('/srv/app/.ferry', 'PostgreSQL store postgres://db/ferry', db)
 */
export async function checkDatabaseKnowsInstances(
  dataDir: string,
  store: string,
  db: Kysely<Database>,
): Promise<void> {
  const pids = instanceProcesses(dataDir).map((p) => p.pid);
  if (pids.length === 0) return;
  if (await db.selectFrom('deployments').select('id').limit(1).executeTakeFirst()) return;
  throw new FerryError(
    'store_fault',
    `${store} has no deployments, but ${running(pids)}: pass the --store this data folder used, ` +
      `or stop them (kill ${pids.join(' ')}) and start again`,
    { extra: { pids } },
  );
}

function running(pids: readonly number[]): string {
  const processes = `${pids.length} instance process${pids.length === 1 ? '' : 'es'}`;
  return `${processes} of this data folder still run (pid ${pids.join(', ')})`;
}

function hasContent(file: string): boolean {
  try {
    return statSync(file).size > 0;
  } catch {
    return false;
  }
}
