import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobStore } from '../artifacts/blob-store.js';
import { packDirectory } from '../artifacts/pack-directory.js';
import { readArtifactMigrations } from './read-artifact-migrations.js';

let dir: string;
let blobs: BlobStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-artifact-migrations-'));
  blobs = new BlobStore(join(dir, 'artifacts'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function push(files: Record<string, string>): Promise<string> {
  const app = join(dir, 'app');
  await rm(app, { recursive: true, force: true });
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(app, path)), { recursive: true });
    await writeFile(join(app, path), text);
  }
  return blobs.put(await packDirectory(app));
}

const sha = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

describe('readArtifactMigrations', () => {
  it('gives the migration files under the folder, in version order, with their checksums', async () => {
    const v2 = 'ALTER TABLE notes ADD COLUMN display_name text;\n';
    const digest = await push({
      'server.js': 'console.log(1)',
      'db/migrations/V1__create_notes.sql': '-- phase: expand\nCREATE TABLE notes (id int);\n',
      'db/migrations/expand/V2__add_display_name.sql': v2,
      'db/migrations/README.md': 'not SQL',
      'db/other/V9__elsewhere.sql': '-- phase: expand\nSELECT 1;',
    });
    const { files, problems } = await readArtifactMigrations(blobs, digest, 'db/migrations');
    expect(problems).toEqual([]);
    expect(files.map((f) => [f.version, f.phase, f.path])).toEqual([
      ['1', 'expand', 'V1__create_notes.sql'],
      ['2', 'expand', 'expand/V2__add_display_name.sql'],
    ]);
    expect(files[1]).toMatchObject({ sql: v2, checksum: sha(v2), description: 'add display name' });
  });

  it('gives none when the artifact has no such folder, and reports misnamed files', async () => {
    const plain = await push({ 'server.js': 'x' });
    expect(await readArtifactMigrations(blobs, plain, 'db/migrations')).toEqual({
      files: [],
      problems: [],
    });
    const misnamed = await push({ 'db/migrations/add.sql': 'SELECT 1;' });
    const { problems } = await readArtifactMigrations(blobs, misnamed, 'db/migrations/');
    expect(problems.map((p) => p.path)).toEqual(['add.sql']);
  });

  it('refuses a blob that is missing or whose bytes changed since it was pushed', async () => {
    const digest = await push({ 'db/migrations/V1__a.sql': '-- phase: expand\nSELECT 1;' });
    await writeFile(blobs.path(digest), await packDirectory(join(dir, 'app', 'db')));
    await expect(readArtifactMigrations(blobs, digest, 'db/migrations')).rejects.toMatchObject({
      code: 'artifact_corrupt',
    });
    await rm(blobs.path(digest));
    await expect(readArtifactMigrations(blobs, digest, 'db/migrations')).rejects.toMatchObject({
      code: 'artifact_missing',
    });
  });
});
