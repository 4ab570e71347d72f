import { FerryError } from '../errors/ferry-error.js';
import { systemCode } from '../errors/storage-errors.js';

/** What went wrong with the store's file, and what an operator does about it. */
const faults = [
  {
    codes: ['SQLITE_FULL', 'ENOSPC'],
    code: 'insufficient_storage',
    what: 'cannot be written: the disk is full',
    todo: 'free space on its disk',
  },
  {
    codes: ['SQLITE_READONLY', 'SQLITE_READONLY_DBMOVED', 'SQLITE_CANTOPEN', 'EROFS', 'EACCES'],
    code: 'store_fault',
    what: 'cannot be opened for writing (read-only file or folder)',
    todo: 'make it and its folder writable, or pass another --data',
  },
  {
    codes: ['SQLITE_NOTADB', 'SQLITE_CORRUPT'],
    code: 'store_fault',
    what: 'is damaged or not a Ferry database',
    todo: 'restore it from a backup, or move it away to start with an empty store',
  },
] as const;

/**
 * The store error `error` is, as one line naming the file and what to do; other errors are
 * returned as they are. SQLite codes are matched by prefix (`SQLITE_CORRUPT_INDEX` is corrupt).
 *
 * @example storeFault('.ferry/ferry.db', sqliteError).message
 * // '.ferry/ferry.db is damaged or not a Ferry database (file is not a database): restore it ...'
 */
export function storeFault(file: string, error: unknown): unknown {
  const errno = systemCode(error);
  if (errno === undefined) return error;
  const fault = faults.find((f) =>
    f.codes.some((code) => errno === code || errno.startsWith(`${code}_`)),
  );
  if (!fault && !errno.startsWith('SQLITE_')) return error;
  const cause = error instanceof Error ? error.message : String(error);
  const what = fault?.what ?? 'cannot be used';
  const todo = fault?.todo ?? 'check the file, or restore it from a backup';
  return new FerryError(fault?.code ?? 'store_fault', `${file} ${what} (${cause}): ${todo}`, {
    cause: error,
    extra: { file, errno },
  });
}
