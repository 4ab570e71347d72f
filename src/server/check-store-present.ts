import { statSync } from 'node:fs';
import { FerryError } from '../errors/ferry-error.js';
import { instanceProcesses } from '../runtime/local/orphan-processes.js';

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
    `${dbFile} is missing, but ${pids.length} instance process${pids.length === 1 ? '' : 'es'} ` +
      `of this data folder still run (pid ${pids.join(', ')}): restore ferry.db from a backup, ` +
      `or stop them (kill ${pids.join(' ')}) and start again`,
    { extra: { file: dbFile, pids } },
  );
}

function hasContent(file: string): boolean {
  try {
    return statSync(file).size > 0;
  } catch {
    return false;
  }
}
