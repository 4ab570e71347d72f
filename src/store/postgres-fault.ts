import { FerryError } from '../errors/ferry-error.js';
import { systemCode } from '../errors/storage-errors.js';

/** What went wrong reaching a PostgreSQL store (errno or SQLSTATE), and what an operator does. */
const faults = [
  {
    codes: ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', '57P03'],
    what: 'cannot be reached',
    todo: 'start PostgreSQL or fix the host and port in --store (or FERRY_STORE)',
  },
  {
    codes: ['28P01', '28000'],
    what: 'refused the login',
    todo: 'fix the user or password in --store (or FERRY_STORE), or pg_hba.conf',
  },
  {
    codes: ['3D000'],
    what: 'has no such database',
    todo: 'create it (createdb) or name an existing one in --store (or FERRY_STORE)',
  },
  {
    codes: ['42501'],
    what: 'does not let this user create or change tables',
    todo: 'grant the user CREATE on the database and its public schema',
  },
] as const;

/**
 * The URL of a PostgreSQL store as messages show it: never its password.
 *
 * @example redactedUrl('postgres://ferry:s3cret@db:5432/ferry') // 'postgres://ferry@db:5432/ferry'
 */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString();
  } catch {
    return 'the --store URL';
  }
}

/**
 * The PostgreSQL error `error` is, as one line naming the store (without its password) and what
 * to do; other errors are returned as they are. A full disk (`53100`) is `insufficient_storage`.
 *
 * @example postgresFault('postgres://ferry@db/ferry', refused).message
 * // 'PostgreSQL store postgres://ferry@db/ferry cannot be reached (connect ECONNREFUSED ...): start ...'
 */
export function postgresFault(url: string, error: unknown): unknown {
  const code = systemCode(error);
  if (code === undefined) return error;
  const store = `PostgreSQL store ${redactedUrl(url)}`;
  const cause = (error instanceof Error ? error.message : String(error)).replaceAll(
    /:\/\/([^:@/\s]+):[^@/\s]*@/g,
    '://$1@',
  );
  if (code === '53100') {
    return new FerryError(
      'insufficient_storage',
      `${store} cannot be written: its disk is full (${cause}): free space on the database server`,
      { cause: error, extra: { errno: code } },
    );
  }
  const fault = faults.find((f) => f.codes.some((c) => c === code));
  if (!fault) return error;
  return new FerryError('store_fault', `${store} ${fault.what} (${cause}): ${fault.todo}`, {
    cause: error,
    extra: { errno: code },
  });
}
