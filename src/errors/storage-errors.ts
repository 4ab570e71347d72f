import { FerryError } from './ferry-error.js';

/**
 * Whether an error (or one of its causes) says the disk is full: `ENOSPC` from the file system,
 * `SQLITE_FULL` or PostgreSQL's `53100` from the store, or Ferry's own `insufficient_storage`.
 *
 * @example isDiskFull(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })) // true
 */
export function isDiskFull(error: unknown): boolean {
  if (error instanceof FerryError && error.code === 'insufficient_storage') return true;
  const code = systemCode(error);
  return code === 'SQLITE_FULL' || code === 'ENOSPC' || code === '53100';
}

/**
 * Whether an error comes from the storage under Ferry (the SQLite store or the file system it
 * lives on, or a PostgreSQL store's connection and resources: SQLSTATE classes 08, 53 and 57P)
 * rather than from one deployment's logic: a fault that every write hits alike.
 */
export function isStorageError(error: unknown): boolean {
  if (isDiskFull(error)) return true;
  const code = systemCode(error);
  return (
    code !== undefined &&
    (code.startsWith('SQLITE_') ||
      /^(08...|53...|57P0.)$/.test(code) ||
      ['EROFS', 'EIO', 'EDQUOT'].includes(code))
  );
}

/** The errno, SQLite code or SQLSTATE of an error or its causes; Ferry's own codes are not these. */
export function systemCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && !(e instanceof FerryError)) return code;
    e = e.cause;
  }
  return undefined;
}
