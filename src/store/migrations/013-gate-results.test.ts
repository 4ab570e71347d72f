import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrationProvider } from '../migrate.js';

let db: Kysely<unknown> | undefined;
afterEach(async () => {
  await db?.destroy();
  db = undefined;
});

describe('migration 013-gate-results', () => {
  it('adds gate_results to a store at 012, looked up by service and digest', async () => {
    db = new Kysely({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
    const migrator = new Migrator({ db, provider: migrationProvider });
    expect((await migrator.migrateTo('012-deployment-causes')).error).toBeUndefined();
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    const index = await sql<{ name: string; column: string }>`
      select il.name as name, ii.name as "column"
      from pragma_index_list('gate_results') il, pragma_index_info(il.name) ii
      where il.origin = 'c' order by il.name, ii.seqno`.execute(db);
    expect(index.rows).toEqual([
      { name: 'gate_results_artifact', column: 'service' },
      { name: 'gate_results_artifact', column: 'digest' },
    ]);
  });
});
