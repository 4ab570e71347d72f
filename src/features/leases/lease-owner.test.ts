import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dataFolderLeaseOwner, randomLeaseOwner } from './lease-owner.js';

describe('lease owner ids', () => {
  const folders: string[] = [];
  const folder = () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-owner-'));
    folders.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('gives a restarted server on the same data folder the same id, naming the folder', () => {
    const dir = folder();
    const first = dataFolderLeaseOwner(dir);
    expect(first).toContain(dir);
    expect(dataFolderLeaseOwner(dir)).toBe(first);
    expect(first).toContain(readFileSync(join(dir, 'server-id'), 'utf8').trim());
  });

  it('gives servers on different data folders, and compositions without one, different ids', () => {
    expect(dataFolderLeaseOwner(folder())).not.toBe(dataFolderLeaseOwner(folder()));
    expect(randomLeaseOwner()).not.toBe(randomLeaseOwner());
  });
});
