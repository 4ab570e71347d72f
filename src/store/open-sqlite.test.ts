import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FerryError } from '../errors/ferry-error.js';
import { openSqlite } from './open-sqlite.js';

describe('openSqlite', () => {
  it('creates the store 0600', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ferry-db-')), 'ferry.db');
    const db = await openSqlite(file);
    await db.destroy();
    expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
  });

  it('names a file that is not a database and what to do', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ferry-db-')), 'ferry.db');
    writeFileSync(file, 'garbage\n'.repeat(1000));
    const error = await openSqlite(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FerryError);
    expect((error as FerryError).code).toBe('store_fault');
    expect((error as FerryError).message).toBe(
      `${file} is damaged or not a Ferry database (file is not a database): restore it from a backup, or move it away to start with an empty store`,
    );
  });
});
