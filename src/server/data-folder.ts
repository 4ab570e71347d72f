import {
  accessSync,
  chmodSync,
  constants,
  lstatSync,
  mkdirSync,
  readdirSync,
  realpathSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { FerryError } from '../errors/ferry-error.js';

/**
 * Modes of the data folder. The folder itself is `0711`: other users cannot list it, but the
 * unprivileged user instances run as may pass through it to its release folder. Everything the
 * server alone reads (state, artifacts, logs, the lock) is `0600` files in `0700` folders.
 */
export const dataFolderModes = { folder: 0o711, privateFolder: 0o700, privateFile: 0o600 };

/** Files directly in the data folder that only the server may read. */
const privateFiles = ['ferry.db', 'ferry.db-wal', 'ferry.db-shm', 'ferry.lock', 'ferry.pid'];
/** Folders whose whole tree only the server may read. */
const privateTrees = ['artifacts', 'logs', 'router'];

/**
 * Creates the data folder if needed, checks that the server can write to it, and fixes the modes
 * of what an earlier version left readable by others. Returns its canonical absolute path (no
 * symbolic links: /proc shows instances' log files that way). A folder
 * that cannot be created or written is a `store_fault` naming the folder and what to do.
 *
 * @example const dataDir = prepareDataFolder('.ferry') // '/home/me/app/.ferry'
 */
export function prepareDataFolder(dataDir: string): string {
  let dir = resolve(dataDir);
  try {
    mkdirSync(dir, { recursive: true, mode: dataFolderModes.folder });
    dir = realpathSync(dir);
    accessSync(dir, constants.W_OK);
    chmodSync(dir, dataFolderModes.folder);
    for (const name of privateFiles) chmodIfPresent(join(dir, name), dataFolderModes.privateFile);
    for (const name of privateTrees) chmodTree(join(dir, name));
  } catch (error) {
    throw dataFolderError(dir, error);
  }
  return dir;
}

/** One line for a data folder the server cannot use: which folder, why, what to do. */
export function dataFolderError(dir: string, error: unknown): FerryError {
  const code = (error as NodeJS.ErrnoException).code ?? String(error);
  const why =
    code === 'EROFS'
      ? 'is on a read-only file system'
      : code === 'EACCES' || code === 'EPERM'
        ? 'is not writable by this user'
        : code === 'ENOSPC'
          ? 'is on a full disk'
          : code === 'ENOTDIR' || code === 'EEXIST'
            ? 'is not a folder'
            : `cannot be used (${code})`;
  return new FerryError(
    'store_fault',
    `data folder ${dir} ${why}: make it a writable folder, or pass another --data`,
    { cause: error, extra: { dataDir: dir, errno: code } },
  );
}

function chmodIfPresent(path: string, mode: number): void {
  try {
    chmodSync(path, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/**
 * Folders `0700`, files `0600`; symbolic links are left alone (chmod would follow them). A file
 * gone meanwhile (the running router renames its temporary tables file) is skipped.
 */
function chmodTree(path: string): void {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return;
  }
  if (stat.isSymbolicLink()) return;
  if (!stat.isDirectory()) {
    if ((stat.mode & 0o777) !== dataFolderModes.privateFile) {
      chmodIfPresent(path, dataFolderModes.privateFile);
    }
    return;
  }
  if ((stat.mode & 0o777) !== dataFolderModes.privateFolder) {
    chmodSync(path, dataFolderModes.privateFolder);
  }
  for (const entry of readdirSync(path)) chmodTree(join(path, entry));
}
