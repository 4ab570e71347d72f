import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrationProvider } from '../migrate.js';

let db: Kysely<Tables> | undefined;
afterEach(async () => {
  await db?.destroy();
  db = undefined;
});

/** The two tables the migration carries forward, as written before it. */
interface Tables {
  instances: Record<string, string | number | null>;
  deployments: Record<string, string | number | null>;
}

const oldSpec = {
  name: 'web',
  runtime: { local: { command: ['node', 'server.js'], cwd: '.', env: {}, replicas: 3 } },
  routes: { prod: { host: '127.0.0.1', port: 8080 } },
};

describe('migration 009-runtime-neutral', () => {
  it('gives recorded instances host 127.0.0.1 and moves replicas out of runtime.local in stored specs', async () => {
    db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
    const migrator = new Migrator({ db, provider: migrationProvider });
    expect((await migrator.migrateTo('008-service-stops')).error).toBeUndefined();
    const at = new Date(0).toISOString();
    await db
      .insertInto('deployments')
      .values({
        id: 'dep-1',
        service: 'web',
        environment: 'prod',
        kind: 'deploy',
        artifact_digest: 'sha256:aa',
        version: '1.0.0',
        phase: 'Succeeded',
        reason: null,
        previous_id: null,
        spec: JSON.stringify(oldSpec),
        actor: 'test',
        created_at: at,
        updated_at: at,
        last_progress_at: at,
        finished_at: at,
      })
      .execute();
    const instance = (id: string, port: number | null) => ({
      id,
      deployment_id: 'dep-1',
      service: 'web',
      environment: 'prod',
      version: '1.0.0',
      artifact_digest: 'sha256:aa',
      phase: port === null ? 'launching' : 'running',
      pid: port,
      pgid: port,
      pid_start_ticks: port,
      port,
      log_path: port === null ? null : '/dev/null',
      restarts: 0,
      spec: '{}',
      created_at: at,
      updated_at: at,
    });
    await db
      .insertInto('instances')
      .values([instance('web-1', 41000), instance('web-2', null)])
      .execute();

    expect((await migrator.migrateToLatest()).error).toBeUndefined();

    const hosts = await db.selectFrom('instances').select(['id', 'host']).orderBy('id').execute();
    expect(hosts).toEqual([
      { id: 'web-1', host: '127.0.0.1' },
      { id: 'web-2', host: null },
    ]);
    const row = await db.selectFrom('deployments').select('spec').executeTakeFirstOrThrow();
    expect(JSON.parse(String(row.spec))).toEqual({
      ...oldSpec,
      replicas: 3,
      runtime: { kind: 'local', local: { command: ['node', 'server.js'], cwd: '.', env: {} } },
    });
  });
});
