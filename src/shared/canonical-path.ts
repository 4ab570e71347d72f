import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * The absolute path with every symlink of its existing part resolved; a part that does not exist
 * yet is appended as written. Paths Ferry stores or compares with /proc (log files, release
 * folders) come from this, so `.ferry` and `/home/me/app/.ferry` are the same folder everywhere.
 *
 * @example canonicalPath('.ferry') // '/home/me/app/.ferry', even before it exists
 */
export function canonicalPath(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    const parent = dirname(absolute);
    // The root always exists, so this ends.
    return parent === absolute ? absolute : join(canonicalPath(parent), basename(absolute));
  }
}
