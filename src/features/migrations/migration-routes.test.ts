import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { composeFerry, type Ferry } from '../../compose.js';
import { kyselyStores } from '../../composition/kysely-stores.js';
import { parseConfig } from '../../config/load-config.js';
import { routeTable } from '../../server/route-table.js';
import { ManualClock } from '../../shared/clock.js';
import { openSqlite } from '../../store/open-sqlite.js';
import { tarGzOf } from '../artifacts/test-tarballs.js';
import { FakeInstanceRuntime } from '../instances/fake-instance-runtime.js';
import { FakeTrafficRouter } from '../routing/fake-traffic-router.js';
import type { MigrationFile } from './domain/migration-file.js';
import { planMigrations } from './domain/plan-migrations.js';
import { FakeMigrationDatabases, migrationFile } from './test-migration-kit.js';

const parsed = parseConfig(
  `apiVersion: ferry.dev/v1
environments:
  - name: staging
  - name: prod
    from: null
services:
  web:
    runtime:
      local: { command: node server.js }
    routes: { staging: 127.0.0.1:18201, prod: 127.0.0.1:18202 }
`,
  'ferry.yaml',
);
// The `database` field is read by the config schema of another branch; set it here.
const config = {
  ...parsed,
  services: {
    web: {
      ...parsed.services['web']!,
      database: {
        urlEnv: 'DATABASE_URL',
        migrations: 'db/migrations',
        lockTimeoutMs: 2_000,
        statementTimeoutMs: 300_000,
        lockRetries: 3,
        contractAfterMs: 3_600_000,
      },
    },
  },
};

const v1Files = [migrationFile('1', 'create_people', 'expand')];
const v3Files = [...v1Files, migrationFile('3', 'drop_name', 'contract')];

let dir: string;
let ferry: Ferry | undefined;
let base: string;
let clock: ManualClock;
let dbs: FakeMigrationDatabases;
const digests = new Map<string, string>();

/**
 * The whole API on a fresh SQLite file with the migrations feature on fake adapters: web v1 and
 * v3 pushed; prod ran v1, then v3 (live since 12:00:01); the expand file applied.
 */
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-migration-routes-'));
  clock = new ManualClock(Date.parse('2026-03-01T12:00:00.000Z'));
  dbs = new FakeMigrationDatabases(clock);
  const shipped = new Map<string, readonly MigrationFile[]>();
  const db = await openSqlite(join(dir, 'ferry.db'));
  const stores = kyselyStores(db);
  ferry = await composeFerry({
    config,
    dataDir: dir,
    clock,
    logger: pino({ level: 'silent' }),
    parts: {
      stores,
      runtime: new FakeInstanceRuntime(),
      router: new FakeTrafficRouter(),
      migrations: {
        filesOf: async (_service, digest) => shipped.get(digest) ?? [],
        openDatabase: (target, database) => dbs.openDatabase(target, database),
        plan: planMigrations,
      },
    },
  });
  await ferry.api.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(ferry.api.server.address() as AddressInfo).port}`;
  for (const [version, files] of [
    ['v1', v1Files],
    ['v3', v3Files],
  ] as const) {
    const bytes = tarGzOf([{ path: 'server.js', body: `// ${version}\n` }]);
    const upload = await call('PUT', `/api/v1/artifacts/web/${version}`, bytes, {
      'content-type': 'application/gzip',
    });
    expect(upload.status, JSON.stringify(upload.body)).toBe(201);
    digests.set(version, upload.body.digest);
    shipped.set(upload.body.digest, files);
  }
  let previousId: string | null = null;
  for (const version of ['v1', 'v3']) {
    clock.advance(1_000);
    const now = new Date(clock.now()).toISOString();
    const id = `dep-${version}`;
    await stores.deployments.commit({
      insert: {
        id,
        service: 'web',
        environment: 'prod',
        kind: 'deploy',
        artifactDigest: digests.get(version)!,
        version,
        phase: 'Succeeded',
        reason: null,
        previousId,
        spec: config.services.web,
        actor: 'user:test',
        createdAt: now,
        updatedAt: now,
        lastProgressAt: now,
        finishedAt: now,
        rollout: null,
      },
      events: [],
    });
    previousId = id;
  }
  dbs.applied('web', 'prod', v1Files);
});

afterEach(async () => {
  await ferry?.close();
  ferry = undefined;
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

async function call(
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const raw = Buffer.isBuffer(body);
  const res = await request(`${base}${path}`, {
    method,
    headers:
      body === undefined || raw ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
  });
  return { status: res.statusCode, body: await res.body.json() };
}

const contract = { service: 'web', environment: 'prod' };

describe('migrations API', () => {
  it('shows the pending contract and why it waits, refuses it with 409, and runs it once safe', async () => {
    const status = await call('GET', '/api/v1/migrations?environment=prod&service=web');
    expect(status.status).toBe(200);
    expect(status.body.migrations).toHaveLength(1);
    const [prod] = status.body.migrations;
    expect(prod).toMatchObject({
      service: 'web',
      environment: 'prod',
      artifact: { version: 'v3', digest: digests.get('v3') },
      applied: [{ version: '1', phase: 'expand' }],
      pendingExpand: [],
      mismatches: [],
      error: null,
    });
    expect(prod.pendingContract).toEqual([
      {
        file: {
          version: '3',
          description: 'drop name',
          phase: 'contract',
          path: 'V3__drop_name.sql',
          checksum: v3Files[1]!.checksum,
        },
        shippedIn: { version: 'v3', digest: digests.get('v3') },
        ready: false,
        waits: [
          {
            kind: 'window',
            version: 'v3',
            liveSince: '2026-03-01T12:00:02.000Z',
            until: '2026-03-01T13:00:02.000Z',
            waitMs: 3_600_000,
          },
        ],
        reasons: [
          'v3 went live in prod at 2026-03-01T12:00:02.000Z; its rollback window and soak (1h) last until 2026-03-01T13:00:02.000Z',
        ],
      },
    ]);

    const refused = await call('POST', '/api/v1/migrations/contract', contract);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('contract_waiting');
    expect(refused.body.error.waiting[0].reasons).toEqual(prod.pendingContract[0].reasons);

    clock.advance(3_600_000);
    const ran = await call('POST', '/api/v1/migrations/contract', contract);
    expect(ran.status).toBe(200);
    expect(ran.body).toMatchObject({
      service: 'web',
      environment: 'prod',
      noop: false,
      waiting: [],
      applied: [{ version: '3', phase: 'contract', deploymentId: null }],
    });
    const events = await call('GET', '/api/v1/events?kind=migration.');
    expect(events.status).toBe(200);
    expect(JSON.stringify(events.body)).toContain('migration.finished');
  });

  it('refuses a rollback to a version older than an applied contract unless forced', async () => {
    clock.advance(3_600_000);
    expect((await call('POST', '/api/v1/migrations/contract', contract)).status).toBe(200);
    const refused = await call('POST', '/api/v1/rollbacks', { ...contract, toVersion: 'v1' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: 'schema_contracted',
      reasons: [
        'V3__drop_name.sql (contract, applied 2026-03-01T13:00:02.000Z) removed what v1 needs',
      ],
    });
    const forced = await call('POST', '/api/v1/rollbacks', {
      ...contract,
      toVersion: 'v1',
      force: true,
    });
    expect(forced.status, JSON.stringify(forced.body)).toBe(201);
    expect(forced.body.deployment).toMatchObject({ kind: 'rollback', version: 'v1' });
  });

  it('answers for every environment without one, and says what is wrong with a request', async () => {
    const all = await call('GET', '/api/v1/migrations');
    expect(all.body.migrations.map((m: { environment: string }) => m.environment)).toEqual([
      'staging',
      'prod',
    ]);
    expect(all.body.migrations[0]).toMatchObject({ artifact: null, pendingContract: [] });
    expect((await call('GET', '/api/v1/migrations?environment=qa')).body.error.code).toBe(
      'not_found',
    );
    expect((await call('GET', '/api/v1/migrations?environment=Prod')).status).toBe(400);
    const unknown = await call('POST', '/api/v1/migrations/contract', { service: 'web' });
    expect(unknown.status).toBe(400);
  });

  it('shows the migrations of each cell in the environment matrix (ferry env)', async () => {
    const matrix = await call('GET', '/api/v1/environments/matrix');
    expect(matrix.status).toBe(200);
    const cells = matrix.body.services[0].cells;
    expect(cells.map((c: { environment: string }) => c.environment)).toEqual(['staging', 'prod']);
    expect(cells[1].migrations).toEqual({
      applied: 1,
      pendingExpand: 0,
      pendingContract: 1,
      readyContract: 0,
      mismatches: 0,
      waiting:
        'V3__drop_name.sql: v3 went live in prod at 2026-03-01T12:00:02.000Z; its rollback window and soak (1h) last until 2026-03-01T13:00:02.000Z',
      error: null,
    });
    dbs.unreachable = 'DATABASE_URL is not set for web in prod';
    const down = await call('GET', '/api/v1/environments/matrix');
    expect(down.body.services[0].cells[1].migrations.error).toBe(
      'DATABASE_URL is not set for web in prod',
    );
  });

  it('declares read and deploy, and is in the OpenAPI document', async () => {
    const routes = routeTable(ferry!.api).filter((r) => r.url.startsWith('/api/v1/migrations'));
    expect(routes.filter((r) => r.method !== 'HEAD')).toEqual([
      { method: 'GET', url: '/api/v1/migrations', permission: 'read' },
      { method: 'POST', url: '/api/v1/migrations/contract', permission: 'deploy' },
    ]);
    const openapi = await call('GET', '/openapi.json');
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/migrations', '/api/v1/migrations/contract']),
    );
    expect(openapi.body.components.schemas).toHaveProperty('MigrationStatus');
  });
});
