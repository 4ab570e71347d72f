import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { MigrationEntry } from './domain/parse-migration-files.js';

/**
 * Reads every file under a migrations folder, subfolders included, as entries for
 * `parseMigrationFiles`: its path relative to the folder (with `/`), its text, and the sha256 of
 * its bytes (`sha256:<hex>`), so a checksum changes with any byte, line endings included. Sorted
 * by path, so the result does not depend on the file system's order.
 *
 * @example parseMigrationFiles(await readMigrationFolder('releases/v2/db/migrations'))
 */
export async function readMigrationFolder(folder: string): Promise<MigrationEntry[]> {
  let names: string[];
  try {
    names = await readdir(folder, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new Error(`${folder}: no migrations folder here`, { cause: error });
    }
    throw error;
  }
  const entries: MigrationEntry[] = [];
  for (const name of names.sort()) {
    const path = join(folder, name);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EISDIR') continue;
      throw error;
    }
    entries.push({
      path: relative(folder, path).split(sep).join('/'),
      sql: bytes.toString('utf8'),
      checksum: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    });
  }
  return entries;
}
