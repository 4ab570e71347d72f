import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { MigrationEntry } from './domain/parse-migration-files.js';

/** One file as a {@link MigrationEntry} named `path`. */
export async function readMigrationEntry(file: string, path: string): Promise<MigrationEntry> {
  const bytes = await readFile(file);
  return {
    path,
    sql: bytes.toString('utf8'),
    checksum: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
  };
}
