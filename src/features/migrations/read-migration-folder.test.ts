import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseMigrationFiles } from './domain/parse-migration-files.js';
import { readMigrationFolder } from './read-migration-folder.js';

describe('readMigrationFolder', () => {
  let folder: string | undefined;
  afterEach(() => {
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
    folder = undefined;
  });

  it('reads subfolders, with paths relative to the folder and the sha256 of the bytes', async () => {
    folder = mkdtempSync(join(tmpdir(), 'ferry-migrations-'));
    mkdirSync(join(folder, 'contract'));
    writeFileSync(
      join(folder, 'V1__create_accounts.sql'),
      '-- phase: expand\nCREATE TABLE a ();\r\n',
    );
    writeFileSync(join(folder, 'contract', 'V2__drop_name.sql'), 'ALTER TABLE a DROP COLUMN n;');
    const entries = await readMigrationFolder(folder);
    expect(entries.map((e) => e.path)).toEqual([
      'V1__create_accounts.sql',
      'contract/V2__drop_name.sql',
    ]);
    const bytes = '-- phase: expand\nCREATE TABLE a ();\r\n';
    expect(entries[0]!.checksum).toBe(`sha256:${createHash('sha256').update(bytes).digest('hex')}`);
    expect(parseMigrationFiles(entries).files.map((f) => [f.version, f.phase])).toEqual([
      ['1', 'expand'],
      ['2', 'contract'],
    ]);
  });

  it('says so when the folder does not exist', async () => {
    await expect(readMigrationFolder('/nonexistent/db/migrations')).rejects.toThrow(
      '/nonexistent/db/migrations: no migrations folder here',
    );
  });
});
