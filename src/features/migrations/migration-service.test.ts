import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { servicesOnFakes } from '../../../test/support/services-on-fakes.js';
import { flush } from '../../../test/support/turns.js';
import type { FerryConfig } from '../../config/ferry-config.js';
import { FerryError } from '../../errors/ferry-error.js';
import { tarGzOf } from '../artifacts/test-tarballs.js';
import type { DatabaseConfig } from '../deployments/domain/service-spec.js';
import type { MigrationFile } from './domain/migration-file.js';
import type { LintReport } from './domain/lint-finding.js';
import { planMigrations } from './domain/plan-migrations.js';
import { FakeMigrationDatabases, migrationFile } from './test-migration-kit.js';

const yaml = `apiVersion: ferry.dev/v1
environments:
  - name: staging
  - name: prod
    from: null
    soak: 10m
services:
  web:
    replicas: 2
    runtime: { local: { command: node server.js } }
    routes: { staging: 127.0.0.1:18101, prod: 127.0.0.1:18102 }
  api:
    runtime: { local: { command: node server.js } }
    routes: { prod: 127.0.0.1:18103 }
`;

const hour = 3_600_000;
const user = 'user:test';
const v1Files = [migrationFile('1', 'create_people', 'expand')];
const v2Files = [...v1Files, migrationFile('2', 'add_email', 'expand')];
const v3Files = [...v2Files, migrationFile('3', 'drop_name', 'contract')];
const v4Files = [...v3Files, migrationFile('4', 'drop_phone', 'contract')];

const database: DatabaseConfig = {
  urlEnv: 'DATABASE_URL',
  migrations: 'db/migrations',
  lockTimeoutMs: 2_000,
  statementTimeoutMs: 300_000,
  lockRetries: 3,
  contractAfterMs: hour,
};

/** Runs of a person or of automatic contract; the expand gate's runs carry their deployment. */
const contractRuns = (dbs: FakeMigrationDatabases) =>
  dbs.runs.filter((run) => run.options.deploymentId === null);

let removers: (() => void)[] = [];
afterEach(() => {
  for (const remove of removers) remove();
  removers = [];
});

/**
 * The server behind the API on fakes and a manual clock; `web` declares a database whose
 * migrations run on a fake database, and whose artifacts ship the files `push` gives them.
 */
function world(
  options: {
    autoContract?: boolean;
    lint?: (files: readonly string[]) => LintReport;
    text?: string;
  } = {},
) {
  const shipped = new Map<string, readonly MigrationFile[]>();
  const fakes = servicesOnFakes(options.text ?? yaml, '2026-03-01T10:00:00Z', {
    adjust: (config: FerryConfig) => ({
      ...config,
      services: {
        ...config.services,
        web: {
          ...config.services['web']!,
          database: { ...database, autoContract: options.autoContract ?? false },
          // The expand gate opens the database the URL names: one fake per environment.
          overrides: {
            staging: { env: { DATABASE_URL: 'fake://web/staging' } },
            prod: { env: { DATABASE_URL: 'fake://web/prod' } },
          },
        },
      },
    }),
    openMigrationDatabase: (url) =>
      dbs.openDatabase({ service: 'web', environment: url.replace('fake://web/', '') }, database),
    migrations: {
      filesOf: async (_service, digest) => shipped.get(digest) ?? [],
      openDatabase: (target, config) => dbs.openDatabase(target, config),
      plan: planMigrations,
      ...(options.lint
        ? { lint: async (inputs) => options.lint!(inputs.map((input) => input.file)) }
        : {}),
    },
  });
  removers.push(fakes.remove);
  const { services, scheduler } = fakes;
  const dbs = new FakeMigrationDatabases(scheduler.clock);
  const migrations = services.migrations!.migrations;
  const settle = async (environment: string) => {
    const target = { service: 'web', environment };
    // The expand gate reads the artifact's tarball from disk: real I/O the manual scheduler does
    // not drive, so rounds go on (a short real wait each) until the deployment ended.
    for (let round = 0; round < 500; round += 1) {
      await scheduler.advance(0, flush);
      await services.core.controller.reconcileNow(target);
      await flush();
      if (round >= 50 && !(await services.core.deployments.active(target))) return;
      if (round >= 50) await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  return {
    services,
    scheduler,
    dbs,
    migrations,
    async push(version: string, files: readonly MigrationFile[]) {
      const body = `console.log(${JSON.stringify(version)})\n`;
      const bytes = tarGzOf([
        { path: 'server.js', body },
        ...files.map((f) => ({ path: `db/migrations/${f.path}`, body: f.sql })),
      ]);
      // The digest is the sha256 of the bytes; the lint gate reads the files during the push.
      shipped.set(`sha256:${createHash('sha256').update(bytes).digest('hex')}`, files);
      return services.artifacts.ingest({
        service: 'web',
        version,
        sourceCommit: null,
        bytes,
        actor: user,
      });
    },
    /** Deploys and settles: the expand gate applies the artifact's expand files first. */
    async deploy(
      environment: string,
      version: string,
      files: readonly MigrationFile[],
      force = false,
    ) {
      scheduler.clock.advance(1_000);
      const result = await services.core.deployments.deploy(
        { service: 'web', environment },
        version,
        user,
        { force },
      );
      await settle(environment);
      return result;
    },
    async rollback(environment: string, toVersion: string, force = false) {
      scheduler.clock.advance(1_000);
      const result = await services.core.deployments.rollback(
        { service: 'web', environment },
        toVersion,
        user,
        { force },
      );
      await settle(environment);
      return result;
    },
    async events(prefix: string) {
      const all = (await services.events.list({ kindPrefix: prefix, limit: 100 })).filter(
        // The contract side's; the expand gate tells its runs on the deployment.
        (e) => e.subject.startsWith('migration/'),
      );
      return all.map((e) => ({ kind: e.kind, actor: e.actor, ...e.payload }));
    },
    settle,
  };
}

async function refusal(promise: Promise<unknown>): Promise<FerryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FerryError);
  return error as FerryError;
}

describe('MigrationService: contract waits until safe', () => {
  it('shows the contract waiting for the rollback window, refuses it, then runs it once it passed', async () => {
    const w = world();
    await w.push('v1', v1Files);
    await w.push('v2', v2Files);
    await w.push('v3', v3Files);
    await w.deploy('prod', 'v1', v1Files);
    await w.deploy('prod', 'v2', v2Files);
    await w.deploy('prod', 'v3', v3Files);
    expect(
      (await w.services.core.deployments.live({ service: 'web', environment: 'prod' }))?.version,
    ).toBe('v3');
    const liveAt = new Date(w.scheduler.clock.now()).toISOString();

    const [status] = await w.migrations.status('prod', 'web');
    expect(status?.applied.map((m) => m.version)).toEqual(['1', '2']);
    expect(status?.pendingExpand).toEqual([]);
    expect(
      status?.pendingContract.map((p) => [p.file.path, p.shippedIn?.version, p.ready]),
    ).toEqual([['V3__drop_name.sql', 'v3', false]]);
    const until = new Date(Date.parse(liveAt) + hour).toISOString();
    expect(status?.pendingContract[0]?.reasons).toEqual([
      `v3 went live in prod at ${liveAt}; its rollback window and soak (1h) last until ${until}`,
    ]);

    const waiting = await refusal(
      w.migrations.contract({ service: 'web', environment: 'prod' }, { actor: user }),
    );
    expect(waiting.code).toBe('contract_waiting');
    expect(waiting.status).toBe(409);
    expect(waiting.message).toContain(
      `V3__drop_name.sql of web waits in prod: v3 went live in prod at ${liveAt}`,
    );
    expect(contractRuns(w.dbs)).toEqual([]);

    w.scheduler.clock.advance(hour);
    const result = await w.migrations.contract(
      { service: 'web', environment: 'prod' },
      { actor: user },
    );
    expect(result.noop).toBe(false);
    expect(result.applied.map((m) => [m.version, m.phase, m.deploymentId])).toEqual([
      ['3', 'contract', null],
    ]);
    expect(contractRuns(w.dbs)[0]?.options).toMatchObject({
      lockTimeoutMs: 2_000,
      statementTimeoutMs: 300_000,
      lockRetries: 3,
      rehearse: true,
      deploymentId: null,
    });
    expect(await w.events('migration.')).toEqual([
      expect.objectContaining({
        kind: 'migration.started',
        actor: user,
        version: 'v3',
        migration: '3',
        environment: 'prod',
      }),
      expect.objectContaining({
        kind: 'migration.finished',
        actor: user,
        version: 'v3',
        migration: '3',
        file: 'V3__drop_name.sql',
        phase: 'contract',
        durationMs: 12,
      }),
    ]);
    expect(w.dbs.open).toBe(0);

    const [after] = await w.migrations.status('prod', 'web');
    expect(after?.pendingContract).toEqual([]);
    expect(after?.applied.map((m) => m.version)).toEqual(['1', '2', '3']);
    const again = await w.migrations.contract(
      { service: 'web', environment: 'prod' },
      { actor: user },
    );
    expect(again).toMatchObject({ noop: true, applied: [] });
  });

  it('waits while the contract version is not live, and per environment', async () => {
    const w = world();
    await w.push('v1', v1Files);
    await w.push('v3', v3Files);
    await w.deploy('staging', 'v1', v1Files);
    await w.deploy('staging', 'v3', v3Files);
    await w.deploy('prod', 'v1', v1Files);
    w.scheduler.clock.advance(2 * hour);
    const [staging] = await w.migrations.status('staging');
    expect(staging?.pendingContract.map((p) => p.ready)).toEqual([true]);
    const [prod] = await w.migrations.status('prod');
    // prod runs v1, whose files have no contract: nothing pending there yet.
    expect(prod?.pendingContract).toEqual([]);
    expect(prod?.artifact?.version).toBe('v1');
  });

  it('runs the ready contract files and leaves a later version’s waiting', async () => {
    const w = world();
    await w.push('v3', v3Files);
    await w.push('v4', v4Files);
    await w.deploy('prod', 'v3', v3Files);
    w.scheduler.clock.advance(2 * hour);
    await w.deploy('prod', 'v4', v4Files);
    const result = await w.migrations.contract(
      { service: 'web', environment: 'prod' },
      { actor: user },
    );
    expect(result.applied.map((m) => m.version)).toEqual(['3']);
    expect(
      result.waiting.map((p) => [p.file.version, p.shippedIn?.version, p.waits[0]?.kind]),
    ).toEqual([['4', 'v4', 'window']]);
  });

  it('shows checksum mismatches and refuses to contract with both checksums', async () => {
    const w = world();
    await w.push('v3', v3Files);
    await w.deploy('prod', 'v3', v3Files);
    w.scheduler.clock.advance(2 * hour);
    // V2 as applied differs from the file v3 ships (applied by hand from an edited copy).
    const other = `sha256:${'e'.repeat(64)}`;
    const rows = w.dbs.historyOf('web', 'prod');
    const row = rows.findIndex((m) => m.version === '2');
    rows[row] = { ...rows[row]!, checksum: other };
    const [status] = await w.migrations.status('prod', 'web');
    expect(status?.mismatches).toEqual([
      { version: '2', path: 'V2__add_email.sql', applied: other, file: v3Files[1]!.checksum },
    ]);
    const error = await refusal(
      w.migrations.contract({ service: 'web', environment: 'prod' }, { actor: user }),
    );
    expect(error.code).toBe('conflict');
    expect(error.message).toContain(
      `V2__add_email.sql was applied with ${other} but is now ${v3Files[1]!.checksum}`,
    );
  });

  it('reports an unreachable database in the status and refuses to contract', async () => {
    const w = world();
    await w.push('v3', v3Files);
    await w.deploy('prod', 'v3', v3Files);
    w.dbs.unreachable = 'DATABASE_URL is not set for web in prod';
    const [status] = await w.migrations.status('prod', 'web');
    expect(status?.error).toBe('DATABASE_URL is not set for web in prod');
    const error = await refusal(
      w.migrations.contract({ service: 'web', environment: 'prod' }, { actor: user }),
    );
    expect(error.message).toBe('web in prod: DATABASE_URL is not set for web in prod');
  });

  it('records migration.failed with the blocking query when a run fails', async () => {
    const w = world();
    await w.push('v3', v3Files);
    await w.deploy('prod', 'v3', v3Files);
    w.scheduler.clock.advance(2 * hour);
    w.dbs.failures.set('3', 'lock_timeout');
    const error = await refusal(
      w.migrations.contract({ service: 'web', environment: 'prod' }, { actor: user }),
    );
    expect(error.code).toBe('migration_failed');
    expect(error.message).toBe(
      'web in prod: V3__drop_name.sql: lock timeout after 4 attempts on table accounts',
    );
    expect(error.extra).toMatchObject({
      failure: 'lock_timeout',
      blockedBy: { pid: 4242, query: 'LOCK TABLE accounts' },
    });
    expect(await w.events('migration.failed')).toEqual([
      expect.objectContaining({ migration: '3', code: 'lock_timeout', stage: 'target' }),
    ]);
    expect(w.dbs.open).toBe(0);
  });

  it('refuses services and environments it does not know, and a service without a database', async () => {
    const w = world();
    expect((await refusal(w.migrations.status('qa'))).code).toBe('not_found');
    expect((await refusal(w.migrations.status('prod', 'nope'))).code).toBe('not_found');
    const none = await refusal(w.migrations.status('prod', 'api'));
    expect(none.message).toBe(
      'service api declares no database; add services.api.database in ferry.yaml',
    );
    expect(await w.migrations.status('prod')).toHaveLength(1);
  });
});

describe('the contract guard on rollbacks and deploys', () => {
  async function contracted() {
    const w = world();
    await w.push('v1', v1Files);
    await w.push('v2', v2Files);
    await w.push('v3', v3Files);
    await w.deploy('prod', 'v1', v1Files);
    await w.deploy('prod', 'v2', v2Files);
    await w.deploy('prod', 'v3', v3Files);
    w.scheduler.clock.advance(hour);
    await w.migrations.contract({ service: 'web', environment: 'prod' }, { actor: user });
    return w;
  }

  it('lets a rollback through before the contract ran', async () => {
    const w = world();
    await w.push('v1', v1Files);
    await w.push('v3', v3Files);
    await w.deploy('prod', 'v1', v1Files);
    await w.deploy('prod', 'v3', v3Files);
    const result = await w.rollback('prod', 'v1');
    expect(result.deployment.version).toBe('v1');
  });

  it('refuses a rollback to a version older than the contract, naming the migration', async () => {
    const w = await contracted();
    const appliedAt = w.dbs.historyOf('web', 'prod').find((m) => m.version === '3')!.appliedAt;
    const error = await refusal(w.rollback('prod', 'v1'));
    expect(error.code).toBe('schema_contracted');
    expect(error.message).toBe(
      `v1 of web cannot run in prod: V3__drop_name.sql (contract, applied ${appliedAt}) removed what v1 needs; --force brings it anyway (it will fail where it uses what was removed)`,
    );
    expect((await refusal(w.deploy('prod', 'v2', v2Files))).code).toBe('schema_contracted');
    const live = await w.services.core.deployments.live({ service: 'web', environment: 'prod' });
    expect(live?.version).toBe('v3');
  });

  it('lets --force through and records it', async () => {
    const w = await contracted();
    const result = await w.rollback('prod', 'v1', true);
    expect(result.deployment.version).toBe('v1');
    const [created] = await w.services.events.list({
      subjectPrefix: `deployment/${result.deployment.id}`,
      kindPrefix: 'deployment.created',
      limit: 1,
    });
    expect(created?.payload).toMatchObject({ kind: 'rollback', forced: true });
  });

  it('refuses when the database cannot be checked, unless forced', async () => {
    const w = await contracted();
    w.dbs.unreachable = 'connect ECONNREFUSED 127.0.0.1:5432';
    const error = await refusal(w.rollback('prod', 'v1'));
    expect(error.code).toBe('conflict');
    expect(error.message).toBe(
      'cannot check the contract migrations applied to web in prod: connect ECONNREFUSED 127.0.0.1:5432; --force goes ahead without the check',
    );
    expect((await w.rollback('prod', 'v1', true)).deployment.version).toBe('v1');
  });

  it('refuses an artifact never deployed there that does not ship the contract', async () => {
    const w = await contracted();
    await w.push('hotfix', v2Files);
    expect((await refusal(w.deploy('prod', 'hotfix', v2Files))).code).toBe('schema_contracted');
    await w.push('v5', [...v3Files, migrationFile('5', 'add_phone', 'expand')]);
    const result = await w.deploy('prod', 'v5', []);
    expect(result.deployment.version).toBe('v5');
  });
});

describe('AutoContractor', () => {
  it('runs ready contract migrations only for services that opt in, once they are safe', async () => {
    const off = world();
    await off.push('v3', v3Files);
    await off.deploy('prod', 'v3', v3Files);
    off.scheduler.clock.advance(2 * hour);
    expect(await off.services.migrations!.autoContractor.tick()).toEqual([]);

    const w = world({ autoContract: true });
    await w.push('v3', v3Files);
    await w.deploy('prod', 'v3', v3Files);
    const contractor = w.services.migrations!.autoContractor;
    expect(await contractor.tick()).toEqual([]);
    w.scheduler.clock.advance(hour);
    expect(await contractor.tick()).toEqual([
      { service: 'web', environment: 'prod', versions: ['3'] },
    ]);
    expect(await w.events('migration.finished')).toEqual([
      expect.objectContaining({ actor: 'ferry:auto-contract', migration: '3' }),
    ]);
    expect(await contractor.tick()).toEqual([]);
  });

  it('does not try a failed file again by itself', async () => {
    const w = world({ autoContract: true });
    await w.push('v3', v3Files);
    await w.deploy('prod', 'v3', v3Files);
    w.scheduler.clock.advance(2 * hour);
    w.dbs.failures.set('3', 'sql_error');
    const contractor = w.services.migrations!.autoContractor;
    expect(await contractor.tick()).toEqual([]);
    expect(await contractor.tick()).toEqual([]);
    expect(contractRuns(w.dbs)).toHaveLength(1);
    const result = await w.migrations.contract(
      { service: 'web', environment: 'prod' },
      { actor: user },
    );
    expect(result.applied.map((m) => m.version)).toEqual(['3']);
  });
});

describe('the migrations gate at push', () => {
  const lintOf = (files: readonly string[]): LintReport => ({
    files: files.map((file) => ({
      file,
      findings: file.includes('drop')
        ? [
            {
              rule: 'contract-in-expand',
              severity: 'error' as const,
              line: 2,
              column: 1,
              message: 'drops a column',
              help: null,
              phase: 'contract' as const,
            },
            {
              rule: 'prefer-bigint',
              severity: 'warning' as const,
              line: 3,
              column: 1,
              message: 'style',
              help: null,
              phase: 'expand' as const,
            },
          ]
        : [],
    })),
  });

  it('records migrations passed or failed with the counts', async () => {
    const w = world({ lint: lintOf });
    await w.push('v2', v2Files);
    await w.push('v3', v3Files);
    const gates = async (version: string) =>
      (await w.services.gates.list('web', version)).map((g) => [
        g.name,
        g.status,
        g.values,
        g.reporter,
      ]);
    expect(await gates('v2')).toEqual([
      ['migrations', 'passed', { errors: 0, warnings: 0, files: 2 }, 'ferry:migrations-lint'],
    ]);
    expect(await gates('v3')).toEqual([
      ['migrations', 'failed', { errors: 1, warnings: 1, files: 3 }, 'ferry:migrations-lint'],
    ]);
  });

  it('keeps an artifact whose lint failed out of an environment that requires it', async () => {
    const text = yaml.replace('    soak: 10m\n', '    soak: 10m\n    require: [migrations]\n');
    const w = world({ lint: lintOf, text });
    await w.push('v2', v2Files);
    await w.push('v3', v3Files);
    await w.deploy('prod', 'v2', v2Files);
    const error = await refusal(w.deploy('prod', 'v3', v3Files));
    expect(error.code).toBe('promotion_blocked');
    expect(error.message).toContain('migrations');
  });

  it('records nothing for a service without a database, or when the lint cannot run', async () => {
    const w = world({
      lint: () => {
        throw new Error('squawk not found');
      },
    });
    await w.push('v2', v2Files);
    expect(await w.services.gates.list('web', 'v2')).toEqual([]);
  });
});
