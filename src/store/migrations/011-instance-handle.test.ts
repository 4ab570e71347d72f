import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPostgresDatabase, postgresUnavailable } from '../../../test/support/postgres.js';
import { KyselyInstanceStore } from '../../features/instances/kysely-instance-store.js';
import { isLocalHandle, localHandleOf } from '../../runtime/local/local-handle.js';
import { LocalRuntime } from '../../runtime/local/local-runtime.js';
import {
  buildHelloArtifact,
  EventLog,
  helloSpec,
  makeTempDir,
} from '../../runtime/local/test-fixtures.js';
import { migrationProvider } from '../migrate.js';
import type { Database } from '../schema.js';

/** The instances table as written before the migration: any columns. */
interface Tables {
  instances: Record<string, string | number | null>;
}

/** An empty database of one backend, not yet migrated; `close` removes it. */
interface Blank {
  readonly db: Kysely<Tables>;
  close(): Promise<void>;
}

const sqlite = async (): Promise<Blank> => {
  const db = new Kysely<Tables>({
    dialect: new SqliteDialect({ database: new SQLite(':memory:') }),
  });
  return { db, close: () => db.destroy() };
};

/** A fresh database, `bigint` read as a number as `openPostgres` reads it (which also migrates). */
const postgres = async (): Promise<Blank> => {
  const database = await createPostgresDatabase();
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, Number);
  const pool = new pg.Pool({ connectionString: database.url, types, max: 2 });
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    async close() {
      await db.destroy();
      await database.drop();
    },
  };
};

const backends = [
  { name: 'sqlite', open: sqlite, skip: undefined },
  { name: 'postgres', open: postgres, skip: await postgresUnavailable() },
];

const at = new Date(0).toISOString();

/** A spec as the controller wrote it before: with the tarball's path. */
const oldSpec = (id: string) => ({
  instanceId: id,
  service: 'web',
  environment: 'prod',
  version: '1.0.0',
  artifactDigest: 'sha256:aa',
  artifactPath: '/var/ferry/artifacts/sha256/aa.tar.gz',
  command: ['node', 'server.js'],
  cwd: '.',
  env: { MODE: 'prod' },
  drainTimeoutMs: 30_000,
});

/** A row of a running instance (process recorded) or of one still launching (nothing yet). */
const oldRow = (id: string, pid: number | null) => ({
  id,
  deployment_id: 'dep-1',
  service: 'web',
  environment: 'prod',
  version: '1.0.0',
  artifact_digest: 'sha256:aa',
  phase: pid === null ? 'launching' : 'running',
  pid,
  pgid: pid,
  // Past 2^31: a host up for more than 248 days.
  pid_start_ticks: pid === null ? null : 2_147_483_648 + pid,
  host: pid === null ? null : '127.0.0.1',
  port: pid === null ? null : 41_000,
  log_path: pid === null ? null : '/var/ferry/logs/web/prod/web-1.log',
  restarts: 2,
  spec: JSON.stringify(oldSpec(id)),
  created_at: at,
  updated_at: at,
  smoke_passed_at: null,
});

describe.each(backends)('migration 011-instance-handle on $name', ({ open, skip }) => {
  it.skipIf(skip !== undefined)(
    "moves recorded process details into the local runtime's handle and drops specs' artifactPath",
    async () => {
      const { db, close } = await open();
      try {
        const migrator = new Migrator({ db, provider: migrationProvider });
        expect((await migrator.migrateTo('009-runtime-neutral')).error).toBeUndefined();
        await db
          .insertInto('instances')
          .values([oldRow('web-1', 4242), oldRow('web-2', null)])
          .execute();

        expect((await migrator.migrateToLatest()).error).toBeUndefined();

        const rows = await db.selectFrom('instances').selectAll().orderBy('id').execute();
        for (const column of ['pid', 'pgid', 'pid_start_ticks', 'log_path']) {
          expect(rows[0]).not.toHaveProperty(column);
        }
        const { artifactPath: _path, ...newSpec } = oldSpec('web-1');
        const store = new KyselyInstanceStore(db as unknown as Kysely<Database>);
        const running = await store.get('web-1');
        expect(running?.record).toEqual({
          instanceId: 'web-1',
          host: '127.0.0.1',
          port: 41_000,
          handle: {
            kind: 'local',
            pid: 4242,
            pgid: 4242,
            pidStartTicks: 2_147_483_648 + 4242,
            logPath: '/var/ferry/logs/web/prod/web-1.log',
          },
        });
        expect(isLocalHandle(running?.record?.handle)).toBe(true);
        expect(running?.spec).toEqual(newSpec);
        expect(running?.restarts).toBe(2);
        const launching = await store.get('web-2');
        expect(launching?.record).toBeNull();
        expect(launching?.spec).toEqual({ ...newSpec, instanceId: 'web-2' });
      } finally {
        await close();
      }
    },
  );
});

describe('migration 011-instance-handle with a real instance', () => {
  it('lets the next server adopt an instance the previous one recorded in the old columns', async () => {
    const root = await makeTempDir();
    const log = new EventLog();
    const { db, close } = await sqlite();
    try {
      const hello = await buildHelloArtifact(root, { version: '1.0.0' });
      const options = { dataDir: join(root, 'data'), artifactPath: () => hello.path };
      const before = new LocalRuntime(options);
      log.listen(before);
      const status = await before.start(helloSpec(hello, { instanceId: 'web-1' }));
      await before.detach();
      const { pid, pgid, pidStartTicks, logPath } = localHandleOf(status.record);
      const migrator = new Migrator({ db, provider: migrationProvider });
      expect((await migrator.migrateTo('009-runtime-neutral')).error).toBeUndefined();
      await db
        .insertInto('instances')
        .values({
          ...oldRow('web-1', pid),
          pgid,
          pid_start_ticks: pidStartTicks,
          port: status.record.port,
          log_path: logPath,
          spec: JSON.stringify({ ...status.spec, artifactPath: hello.path }),
        })
        .execute();

      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const stored = await new KyselyInstanceStore(db as unknown as Kysely<Database>).get('web-1');
      const after = new LocalRuntime(options);
      log.listen(after);
      const result = await after.adopt([{ spec: stored!.spec, record: stored!.record! }]);

      expect(result).toEqual({ adopted: ['web-1'], lost: [] });
      expect(after.describe(stored!.record!)).toEqual({ pid });
      await log.waitFor('instance.ready', 'web-1');
      await after.stop('web-1');
      expect(log.of('instance.stopped', 'web-1')[0]?.killed).toBe(false);
    } finally {
      await log.cleanup();
      await close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
