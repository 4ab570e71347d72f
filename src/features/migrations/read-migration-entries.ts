import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MigrationEntry } from './domain/parse-migration-files.js';

/**
 * Every file under a migrations folder, recursively, with paths relative to it (with `/`), its
 * text and the sha256 of its bytes, ordered by path. `parseMigrationFiles` then reads them as
 * migrations.
 */
export async function readMigrationEntries(folder: string): Promise<MigrationEntry[]> {
  const names = await readdir(folder, { recursive: true, withFileTypes: true });
  const files = names
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  return Promise.all(files.map((file) => readMigrationEntry(file, relativeTo(folder, file))));
}

/** One file as a {@link MigrationEntry} named `path`. */
export async function readMigrationEntry(file: string, path: string): Promise<MigrationEntry> {
  const bytes = await readFile(file);
  return {
    path,
    sql: bytes.toString('utf8'),
    checksum: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
  };
}

function relativeTo(folder: string, file: string): string {
  return file
    .slice(join(folder, '.').length + 1)
    .split(/[\\/]/)
    .join('/');
}
