import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { KyselyArtifactStore } from '../../features/artifacts/kysely-artifact-store.js';
import { migrationProvider } from '../migrate.js';
import type { Database } from '../schema.js';

let db: Kysely<Database> | undefined;
afterEach(async () => {
  await db?.destroy();
  db = undefined;
});

describe('migration 014-artifact-metadata', () => {
  it('keeps artifacts pushed before it, read back without branch, build URL or meta', async () => {
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
    const migrator = new Migrator({ db, provider: migrationProvider });
    expect((await migrator.migrateTo('012-deployment-causes')).error).toBeUndefined();
    const old = db as unknown as Kysely<{ artifacts: Record<string, string | number | null> }>;
    await old
      .insertInto('artifacts')
      .values({
        service: 'web',
        version: 'v1',
        digest: `sha256:${'a'.repeat(64)}`,
        source_commit: 'abc',
        size_bytes: 10,
        created_at: '2025-06-01T12:00:00.000Z',
      })
      .execute();
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    expect(await new KyselyArtifactStore(db).get('web', 'v1')).toEqual({
      service: 'web',
      version: 'v1',
      digest: `sha256:${'a'.repeat(64)}`,
      sourceCommit: 'abc',
      branch: null,
      buildUrl: null,
      meta: {},
      sizeBytes: 10,
      createdAt: '2025-06-01T12:00:00.000Z',
    });
  });
});
