import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import SQLite from 'better-sqlite3';
import { FerryError } from '../errors/ferry-error.js';

/** The lock a server holds on its data folder while it runs. */
export interface DataFolderLock {
  /** The data folder's absolute path. */
  readonly dataDir: string;
  /** Lets the next server in. Also happens when the process dies, however it dies. */
  release(): void;
}

/**
 * Open lock connections. better-sqlite3 closes a connection that is garbage collected, which
 * would drop the lock while the server runs: this keeps every held one reachable.
 */
const held = new Set<SQLite.Database>();

/**
 * Takes the data folder for this process, or throws `data_folder_in_use` naming the pid of the
 * server that has it. The lock is an exclusive SQLite transaction held open on `ferry.lock`: an
 * OS record lock (fcntl) that the kernel drops when the process ends, even by `kill -9`, and that
 * child processes (instances) never inherit. `ferry.pid` says who holds it.
 *
 * @example const lock = lockDataFolder('/srv/app/.ferry'); ...; lock.release()
 */
export function lockDataFolder(dataDir: string): DataFolderLock {
  if (!isAbsolute(dataDir)) throw new Error(`not an absolute path: ${dataDir}`);
  const lockFile = join(dataDir, 'ferry.lock');
  const pidFile = join(dataDir, 'ferry.pid');
  writeFileSync(lockFile, '', { flag: 'a', mode: 0o600 });
  const db = new SQLite(lockFile, { timeout: 0 });
  try {
    // No journal file beside the lock; nothing is ever written to it.
    db.pragma('journal_mode = MEMORY');
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
    const holder = readHolder(pidFile);
    throw new FerryError(
      'data_folder_in_use',
      `data folder ${dataDir} is in use by another ferry server` +
        `${holder ? ` (pid ${holder})` : ''}; stop it first, or pass another --data`,
      { extra: { dataDir, pid: holder ?? null } },
    );
  }
  held.add(db);
  writeFileSync(pidFile, `${process.pid}\n`, { mode: 0o600 });
  return {
    dataDir,
    release() {
      if (!db.open) return;
      if (readPid(pidFile) === process.pid) rmSync(pidFile, { force: true });
      db.close();
      held.delete(db);
    },
  };
}

/**
 * The pid in `ferry.pid` when that process is alive. The holder writes the file just after it
 * takes the lock, so a contender that comes in between may briefly read an older pid: it reads
 * again for a moment before giving up on naming it.
 */
function readHolder(pidFile: string): number | undefined {
  const deadline = Date.now() + 500;
  for (;;) {
    const pid = readPid(pidFile);
    if (pid !== undefined && isAlive(pid)) return pid;
    if (Date.now() >= deadline) return undefined;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25);
  }
}

function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
