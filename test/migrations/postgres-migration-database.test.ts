import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it, type TestContext } from 'vitest';
import type { MigrationFile } from '../../src/features/migrations/domain/migration-file.js';
import type {
  ApplyOptions,
  ApplyProgress,
  MigrationDatabase,
} from '../../src/features/migrations/migration-database.js';
import {
  postgresMigrationDatabases,
  type PostgresMigrationDeps,
} from '../../src/features/migrations/postgres-migration-database.js';
import {
  createPostgresDatabase,
  postgresUnavailable,
  type PostgresDatabase,
} from '../support/postgres.js';
import { skipOrFail } from '../support/tmpfs.js';

/** The password in the URL: trust auth ignores it, and no reason may ever show it. */
const secret = 's3cret-do-not-show';

const migration = (
  version: string,
  sql: string,
  phase: MigrationFile['phase'] = 'expand',
): MigrationFile => ({
  version,
  description: `step ${version}`,
  phase,
  path: `V${version}__step_${version}.sql`,
  sql,
  checksum: `sha256:${createHash('sha256').update(sql).digest('hex')}`,
});

const options = (overrides: Partial<ApplyOptions> = {}): ApplyOptions => ({
  deploymentId: 'dep-1',
  lockTimeoutMs: 2000,
  statementTimeoutMs: 300_000,
  lockRetries: 2,
  rehearse: false,
  ...overrides,
});

const createAccounts = migration(
  '1',
  '-- phase: expand\nCREATE TABLE accounts (id int PRIMARY KEY, name text);\n',
);

/**
 * The migration runner against the real PostgreSQL: a database of its own per test, the runner
 * reaching it by a URL with a password that must never show in a reason.
 */
describe('PostgresMigrationDatabase', () => {
  let database: PostgresDatabase | undefined;
  let url = '';
  const opened: MigrationDatabase[] = [];
  const clients: pg.Client[] = [];
  const sleeps: number[] = [];

  const open = (deps: PostgresMigrationDeps = {}): MigrationDatabase => {
    const db = postgresMigrationDatabases({
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      ...deps,
    })(url);
    opened.push(db);
    return db;
  };

  const connect = async (): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    clients.push(client);
    return client;
  };

  const query = async (sql: string): Promise<Record<string, unknown>[]> =>
    (await (await connect()).query(sql)).rows as Record<string, unknown>[];

  const tables = async (): Promise<string[]> =>
    (
      await query("select tablename from pg_tables where schemaname = 'public' order by tablename")
    ).map((row) => String(row['tablename']));

  const needsTools = (ctx: TestContext): boolean => {
    if (existsSync('/usr/bin/pg_dump') && existsSync('/usr/bin/psql')) return true;
    skipOrFail('pg_dump and psql are missing: apt-get install postgresql-client', (note) =>
      ctx.skip(note),
    );
    return false;
  };

  beforeEach(async (ctx) => {
    const unavailable = await postgresUnavailable();
    if (unavailable !== undefined) return skipOrFail(unavailable, (note) => ctx.skip(note));
    database = await createPostgresDatabase();
    const withPassword = new URL(database.url);
    withPassword.password = secret;
    url = withPassword.toString();
    sleeps.length = 0;
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) await client.end().catch(() => undefined);
    for (const db of opened.splice(0)) await db.close();
    await database?.drop();
    database = undefined;
  });

  it('applies expand files with their history rows, and applying again does nothing', async (ctx) => {
    if (!needsTools(ctx)) return;
    const db = open();
    expect(await db.history()).toEqual([]);
    const files = [
      createAccounts,
      migration(
        '2',
        'ALTER TABLE accounts ADD COLUMN email text;\nCREATE INDEX CONCURRENTLY accounts_email ON accounts (email);',
      ),
    ];
    const progress: ApplyProgress[] = [];
    const outcome = await db.apply(
      files,
      options({ rehearse: true, onProgress: (p) => progress.push(p) }),
    );
    expect(outcome.ok).toBe(true);
    expect(outcome.applied.map((a) => a.version)).toEqual(['1', '2']);
    expect(progress.map((p) => `${p.kind} ${p.stage} ${p.file.version}`)).toEqual([
      'started rehearsal 1',
      'finished rehearsal 1',
      'started rehearsal 2',
      'finished rehearsal 2',
      'started target 1',
      'finished target 1',
      'started target 2',
      'finished target 2',
    ]);
    const history = await db.history();
    expect(
      history.map((h) => [h.version, h.description, h.phase, h.checksum, h.deploymentId]),
    ).toEqual([
      ['1', 'step 1', 'expand', files[0]!.checksum, 'dep-1'],
      ['2', 'step 2', 'expand', files[1]!.checksum, 'dep-1'],
    ]);
    expect(history[0]!.appliedAt).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    expect(
      await query("select indisvalid from pg_index where indexrelid = 'accounts_email'::regclass"),
    ).toEqual([{ indisvalid: true }]);
    expect(
      await query("select datname from pg_database where datname like 'ferry_rehearsal_%'"),
    ).toEqual([]);

    const again = await db.apply(files, options({ rehearse: true }));
    expect(again).toEqual({ ok: true, applied: [] });
    expect((await db.history()).length).toBe(2);
  });

  it('refuses a changed, already-applied file with both checksums, and applies nothing', async () => {
    const db = open();
    expect((await db.apply([createAccounts], options())).ok).toBe(true);
    const edited = migration('1', `${createAccounts.sql}-- edited\n`);
    const outcome = await db.apply(
      [edited, migration('2', 'CREATE TABLE invoices (id int);')],
      options(),
    );
    expect(outcome).toMatchObject({
      ok: false,
      code: 'checksum_mismatch',
      applied: [],
      stage: 'target',
    });
    if (outcome.ok) return;
    expect(outcome.file.path).toBe('V1__step_1.sql');
    expect(outcome.reason).toContain(createAccounts.checksum);
    expect(outcome.reason).toContain(edited.checksum);
    expect(outcome.reason).not.toContain(secret);
    expect(await tables()).toEqual(['accounts', 'ferry_schema_history']);
    expect((await db.history()).map((h) => h.version)).toEqual(['1']);
  });

  it('catches a broken file in the rehearsal before the target is touched, and drops the scratch database', async (ctx) => {
    if (!needsTools(ctx)) return;
    const scratch = `ferry_rehearsal_test_${Date.now()}`;
    const db = open({
      tools: {
        pgDumpPath: '/usr/bin/pg_dump',
        psqlPath: '/usr/bin/psql',
        scratchName: () => scratch,
      },
    });
    expect((await db.apply([createAccounts], options())).ok).toBe(true);
    const broken = migration(
      '2',
      '-- phase: expand\nCREATE TABLE invoices (id int);\nALTER TABLE accounts\n  ADD COLUMN email text,\n  DROP COLUMN nickname;\n',
    );
    const outcome = await db.apply(
      [migration('1.5', 'CREATE TABLE notes (id int);'), broken],
      options({ rehearse: true }),
    );
    expect(outcome).toMatchObject({
      ok: false,
      code: 'sql_error',
      stage: 'rehearsal',
      applied: [],
    });
    if (outcome.ok) return;
    expect(outcome.file.version).toBe('2');
    expect(outcome.reason).toMatch(
      /^V2__step_2\.sql:3:1: column "nickname" of relation "accounts" does not exist/,
    );
    expect(outcome.reason).not.toContain(secret);
    expect(await tables()).toEqual(['accounts', 'ferry_schema_history']);
    expect((await db.history()).map((h) => h.version)).toEqual(['1']);
    expect(await query(`select datname from pg_database where datname = '${scratch}'`)).toEqual([]);
  });

  it('says clearly when pg_dump is missing, and touches nothing', async () => {
    const scratch = `ferry_rehearsal_test_${Date.now()}`;
    const db = open({
      tools: {
        pgDumpPath: '/nonexistent/bin/pg_dump',
        psqlPath: '/usr/bin/psql',
        scratchName: () => scratch,
      },
    });
    const outcome = await db.apply([createAccounts], options({ rehearse: true }));
    expect(outcome).toMatchObject({
      ok: false,
      code: 'rehearsal_failed',
      stage: 'rehearsal',
      applied: [],
    });
    if (outcome.ok) return;
    expect(outcome.reason).toContain('pg_dump not found at /nonexistent/bin/pg_dump');
    expect(outcome.reason).toContain('apt-get install postgresql-client');
    const noPsql = open({
      tools: { pgDumpPath: '/usr/bin/pg_dump', psqlPath: '/nonexistent/bin/psql' },
    });
    const without = await noPsql.apply([createAccounts], options({ rehearse: true }));
    expect(without).toMatchObject({ ok: false, code: 'rehearsal_failed' });
    if (!without.ok) expect(without.reason).toContain('psql not found at /nonexistent/bin/psql');
    expect(await tables()).toEqual(['ferry_schema_history']);
    expect(await query(`select datname from pg_database where datname = '${scratch}'`)).toEqual([]);
  });

  it('fails after its retries when a lock is held, naming the blocking query, with nothing half-applied', async () => {
    const db = open();
    expect((await db.apply([createAccounts], options())).ok).toBe(true);
    const holder = await connect();
    const { rows } = await holder.query<{ pid: number }>('select pg_backend_pid() as pid');
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE');
    const outcome = await db.apply(
      [migration('2', 'CREATE TABLE audit (id int);\nALTER TABLE accounts ADD COLUMN email text;')],
      options({ lockTimeoutMs: 200, lockRetries: 2 }),
    );
    expect(outcome).toMatchObject({
      ok: false,
      code: 'lock_timeout',
      stage: 'target',
      applied: [],
    });
    if (outcome.ok) return;
    expect(outcome.blockedBy).toEqual({
      pid: rows[0]!.pid,
      query: 'LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE',
      lock: 'AccessExclusiveLock on table accounts',
    });
    expect(outcome.reason).toBe(
      `V2__step_2.sql:2:1: lock timeout (200 ms) after 3 attempts: blocked by pid ${rows[0]!.pid} ` +
        'holding AccessExclusiveLock on table accounts, running: LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE',
    );
    expect(sleeps).toEqual([500, 1000]);
    await holder.query('ROLLBACK');
    expect(await tables()).toEqual(['accounts', 'ferry_schema_history']);
    expect((await db.history()).map((h) => h.version)).toEqual(['1']);
  });

  it('names the blocking query when the rehearsal cannot read the schema for a held lock', async (ctx) => {
    if (!needsTools(ctx)) return;
    const scratch = `ferry_rehearsal_test_${Date.now()}`;
    const db = open({
      tools: {
        pgDumpPath: '/usr/bin/pg_dump',
        psqlPath: '/usr/bin/psql',
        scratchName: () => scratch,
      },
    });
    expect((await db.apply([createAccounts], options())).ok).toBe(true);
    const holder = await connect();
    const { rows } = await holder.query<{ pid: number }>('select pg_backend_pid() as pid');
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE');
    const outcome = await db.apply(
      [migration('2', 'ALTER TABLE accounts ADD COLUMN email text;')],
      options({ lockTimeoutMs: 200, lockRetries: 1, rehearse: true }),
    );
    expect(outcome).toMatchObject({
      ok: false,
      code: 'lock_timeout',
      stage: 'rehearsal',
      applied: [],
    });
    if (outcome.ok) return;
    expect(outcome.blockedBy).toEqual({
      pid: rows[0]!.pid,
      query: 'LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE',
      lock: 'AccessExclusiveLock on table accounts',
    });
    expect(outcome.reason).toContain('pg_dump could not lock public.accounts within 400 ms');
    expect(outcome.reason).toContain(
      `blocked by pid ${rows[0]!.pid} holding AccessExclusiveLock on table accounts`,
    );
    expect(outcome.reason).not.toContain(secret);
    await holder.query('ROLLBACK');
    expect((await db.history()).map((h) => h.version)).toEqual(['1']);
    expect(await query(`select datname from pg_database where datname = '${scratch}'`)).toEqual([]);
  });

  it('ends a statement that runs too long as a statement timeout', async () => {
    const db = open();
    const outcome = await db.apply(
      [migration('1', 'CREATE TABLE slow (id int);\nSELECT pg_sleep(5);')],
      options({ statementTimeoutMs: 100 }),
    );
    expect(outcome).toMatchObject({ ok: false, code: 'statement_timeout' });
    if (outcome.ok) return;
    expect(outcome.reason).toMatch(/^V1__step_1\.sql:2:1: statement timeout \(100 ms\)/);
    expect(await tables()).toEqual(['ferry_schema_history']);
  });

  it('drops the INVALID index a failed CREATE INDEX CONCURRENTLY leaves, and says so', async () => {
    const db = open();
    expect((await db.apply([createAccounts], options())).ok).toBe(true);
    await query("INSERT INTO accounts VALUES (1, 'ann'), (2, 'ann')");
    const outcome = await db.apply(
      [
        migration(
          '2',
          'CREATE INDEX CONCURRENTLY accounts_id_name ON accounts (id, name);\nCREATE UNIQUE INDEX CONCURRENTLY accounts_name_key ON accounts (name);\n',
        ),
      ],
      options(),
    );
    expect(outcome).toMatchObject({ ok: false, code: 'sql_error', applied: [] });
    if (outcome.ok) return;
    expect(outcome.reason).toMatch(
      /^V2__step_2\.sql:2:1: could not create unique index "accounts_name_key"/,
    );
    expect(outcome.cleanedUp).toEqual([
      'DROP INDEX CONCURRENTLY IF EXISTS accounts_name_key',
      'DROP INDEX CONCURRENTLY IF EXISTS accounts_id_name',
    ]);
    expect(
      await query(
        "select indexrelid::regclass::text as name, indisvalid from pg_index where indrelid = 'accounts'::regclass",
      ),
    ).toEqual([{ name: 'accounts_pkey', indisvalid: true }]);
    expect((await db.history()).map((h) => h.version)).toEqual(['1']);
  });

  it('rolls back a transactional file that fails midway, and names the line', async () => {
    const db = open();
    expect((await db.apply([createAccounts], options())).ok).toBe(true);
    const outcome = await db.apply(
      [
        migration(
          '2',
          "CREATE TABLE audit (id int);\nINSERT INTO accounts VALUES (1, 'ann');\n\nUPDATE accounts SET name = 'bo'\n WHERE nope = 1;\n",
        ),
      ],
      options(),
    );
    expect(outcome).toMatchObject({ ok: false, code: 'sql_error', cleanedUp: [] });
    if (outcome.ok) return;
    expect(outcome.reason).toBe('V2__step_2.sql:5:8: column "nope" does not exist');
    expect(await tables()).toEqual(['accounts', 'ferry_schema_history']);
    expect(await query('select count(*)::int as n from accounts')).toEqual([{ n: 0 }]);
  });

  it('places a syntax error at its line and column, and applies none of the file', async () => {
    const db = open();
    const outcome = await db.apply(
      [migration('1', '-- phase: expand\nCREATE TABLE a (id int);\nCREATE TABLE b (id int,);\n')],
      options(),
    );
    expect(outcome).toMatchObject({ ok: false, code: 'sql_error' });
    if (outcome.ok) return;
    expect(outcome.reason).toBe('V1__step_1.sql:3:24: syntax error at or near ")"');
    expect(await tables()).toEqual(['ferry_schema_history']);
  });

  it('lets two runners at once apply each file once', async () => {
    const files = [
      createAccounts,
      migration('2', "INSERT INTO accounts VALUES (1, 'ann');"),
      migration('3', 'CREATE INDEX CONCURRENTLY accounts_name ON accounts (name);'),
    ];
    const [first, second] = await Promise.all([
      open().apply(files, options()),
      open().apply(files, options()),
    ]);
    expect(first.ok && second.ok).toBe(true);
    expect([...first.applied, ...second.applied].map((a) => a.version).sort()).toEqual([
      '1',
      '2',
      '3',
    ]);
    expect(await query('select count(*)::int as n from accounts')).toEqual([{ n: 1 }]);
    expect((await open().history()).map((h) => h.version)).toEqual(['1', '2', '3']);
  });

  it('never applies a file without a phase', async () => {
    const db = open();
    const outcome = await db.apply(
      [createAccounts, migration('2', 'CREATE TABLE loose (id int);', null)],
      options(),
    );
    expect(outcome).toEqual({ ok: true, applied: [expect.objectContaining({ version: '1' })] });
    expect(await tables()).toEqual(['accounts', 'ferry_schema_history']);
  });
});
