import { FerryError } from './ferry-error.js';

/**
 * Whether an error (or one of its causes) says the disk is full: `ENOSPC` from the file system,
 * `SQLITE_FULL` from the store, or Ferry's own `insufficient_storage`.
 *
 * @example isDiskFull(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })) // true
 */
export function isDiskFull(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; depth++) {
    if (e instanceof FerryError) {
      if (e.code === 'insufficient_storage') return true;
    } else {
      const code = (e as { code?: unknown }).code;
      if (code === 'SQLITE_FULL' || code === 'ENOSPC') return true;
    }
    e = e.cause;
  }
  return false;
}
