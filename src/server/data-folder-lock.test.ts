import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FerryError } from '../errors/ferry-error.js';
import { lockDataFolder } from './data-folder-lock.js';

describe('lockDataFolder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-lock-'));
  afterEach(() => rmSync(join(dir, 'ferry.pid'), { force: true }));

  it('lets one holder in at a time, names it, and lets the next in once released', () => {
    const first = lockDataFolder(dir);
    expect(readFileSync(join(dir, 'ferry.pid'), 'utf8')).toBe(`${process.pid}\n`);
    expect((statSync(join(dir, 'ferry.lock')).mode & 0o777).toString(8)).toBe('600');
    let refused: unknown;
    try {
      lockDataFolder(dir);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(FerryError);
    expect((refused as FerryError).code).toBe('data_folder_in_use');
    expect((refused as FerryError).message).toBe(
      `data folder ${dir} is in use by another ferry server (pid ${process.pid}); stop it first, or pass another --data`,
    );
    // A refused contender must not have dropped the holder's lock on its way out.
    expect(() => lockDataFolder(dir)).toThrow(/in use/);
    first.release();
    const second = lockDataFolder(dir);
    second.release();
  });
});
