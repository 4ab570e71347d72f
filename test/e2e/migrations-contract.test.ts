import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConstantLoad } from '../../src/demo/constant-load.js';
import { freePort } from '../../src/demo/free-port.js';
import { packDirectory } from '../../src/features/artifacts/pack-directory.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { stopRouter } from '../../src/server/stop-router.js';
import { killOrphans } from '../../src/runtime/local/orphan-processes.js';
import { projectRoot } from '../../src/shared/project-root.js';
import { eventually, type DeploymentBody } from '../support/deploy.js';
import { copyPackageTree } from '../support/node-packages.js';
import {
  createPostgresDatabase,
  postgresUnavailable,
  type PostgresDatabase,
} from '../support/postgres.js';
import { runFerry } from '../support/run-ferry.js';
import { skipOrFail } from '../support/tmpfs.js';

interface EventBody {
  readonly kind: string;
  readonly subject: string;
  readonly payload: Record<string, unknown>;
}

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

interface PendingContractBody {
  readonly file: { readonly version: string; readonly path: string };
  readonly shippedIn: { readonly version: string } | null;
  readonly ready: boolean;
  readonly waits: readonly Record<string, unknown>[];
  readonly reasons: readonly string[];
}

interface StatusBody {
  readonly applied: readonly { readonly version: string; readonly phase: string }[];
  readonly pendingExpand: readonly unknown[];
  readonly pendingContract: readonly PendingContractBody[];
  readonly error: string | null;
}

const execFileAsync = promisify(execFile);
const example = join(projectRoot(), 'examples', 'notes');
const tenMinutes = 10 * 60_000;

/**
 * examples/notes as version 1 (name only, V1 alone), 2 (as checked in) or 3: version 2 plus an
 * expand that lets `name` be null and the contract that drops it, with code that neither reads
 * nor writes `name`.
 */
function checkout(root: string, version: 'v1' | 'v2' | 'v3'): string {
  const dir = join(root, version);
  cpSync(example, dir, { recursive: true });
  copyPackageTree('pg', projectRoot(), dir);
  const serverJs = join(dir, 'server.js');
  const code = readFileSync(serverJs, 'utf8');
  if (version === 'v1') {
    rmSync(join(dir, 'db/migrations/expand/V2__add_display_name.sql'));
    rmSync(join(dir, 'db/migrations/expand/V2_1__backfill_display_name.sql'));
    writeFileSync(
      serverJs,
      code.replace('const WRITES_DISPLAY_NAME = true;', 'const WRITES_DISPLAY_NAME = false;'),
    );
  }
  if (version === 'v3') {
    writeFileSync(
      join(dir, 'db/migrations/expand/V2_2__name_optional.sql'),
      '-- Version 3 no longer writes name: it may be null while version 2 still runs.\nALTER TABLE notes ALTER COLUMN name DROP NOT NULL;\n',
    );
    mkdirSync(join(dir, 'db/migrations/contract'));
    writeFileSync(
      join(dir, 'db/migrations/contract/V3__drop_name.sql'),
      '-- Nothing reads or writes name since version 3.\nALTER TABLE notes DROP COLUMN name;\n',
    );
    const writesDisplayNameOnly = code.replace(
      /const written = WRITES_DISPLAY_NAME[\s\S]*?\[name\]\);/,
      "const written = await pool.query('INSERT INTO notes (display_name) VALUES ($1) RETURNING id', [\n    name.replaceAll('-', ' '),\n  ]);",
    );
    if (writesDisplayNameOnly === code) throw new Error('examples/notes/server.js changed shape');
    writeFileSync(serverJs, writesDisplayNameOnly);
  }
  return dir;
}

function configYaml(routePort: number, url: string): string {
  return `apiVersion: ferry.dev/v1
environments:
  - name: prod
services:
  notes:
    replicas: 2
    runtime:
      local:
        command: [node, server.js]
        env: { DATABASE_URL: "${url}" }
    routes: { prod: 127.0.0.1:${routePort} }
    health:
      readiness: { path: /healthz, interval: 500ms, timeout: 2s, failureThreshold: 3 }
    drainTimeout: 2s
    database:
      url: { env: DATABASE_URL }
      migrations: db/migrations
      contractAfter: 10m
    strategy:
      rolling: { maxSurge: 1, maxUnavailable: 0 }
`;
}

// The real server in this process, so its clock can be moved past the rollback window; its
// router, instances, data folder and the database are real. The artifacts carry pg.
describe(
  'contract migrations wait for the rollback window, then a rollback past them is refused',
  { timeout: 240_000 },
  () => {
    let unavailable: string | undefined;
    let db: PostgresDatabase | undefined;
    let client: pg.Client | undefined;
    let server: RunningServer | undefined;
    let load: ConstantLoad | undefined;
    let root: string | undefined;
    let dataDir: string | undefined;
    let offset = 0;
    const clock = { now: () => Date.now() + offset };

    beforeAll(async () => {
      unavailable = await postgresUnavailable();
      if (unavailable) return;
      db = await createPostgresDatabase();
      client = new pg.Client({ connectionString: db.url });
      await client.connect();
    });
    afterAll(async () => {
      await load?.stop();
      await server?.close();
      if (dataDir) {
        await stopRouter(dataDir);
        await killOrphans(dataDir);
      }
      await client?.end();
      await db?.drop();
      if (root) rmSync(root, { recursive: true, force: true });
    });

    async function call(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown) {
      const res = await request(`${server!.url}${path}`, {
        method,
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      return {
        status: res.statusCode,
        body: (await res.body.json()) as Record<string, unknown>,
      } satisfies Answer;
    }

    async function deploy(version: string, dir: string): Promise<DeploymentBody> {
      const uploaded = await request(`${server!.url}/api/v1/artifacts/notes/${version}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/gzip' },
        body: await packDirectory(dir),
      });
      const text = await uploaded.body.text();
      if (uploaded.statusCode >= 300) throw new Error(`upload ${version}: ${text}`);
      const created = await call('POST', '/api/v1/deployments', {
        service: 'notes',
        environment: 'prod',
        version,
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const { id } = created.body['deployment'] as DeploymentBody;
      return eventually(
        async () => {
          const d = (await call('GET', `/api/v1/deployments/${id}`)).body as unknown;
          const phase = (d as DeploymentBody).phase;
          return ['Succeeded', 'RolledBack', 'Failed', 'Aborted'].includes(phase)
            ? (d as DeploymentBody)
            : undefined;
        },
        120_000,
        `deployment of ${version}`,
      );
    }

    async function columns(): Promise<string[]> {
      const { rows } = await client!.query<{ column_name: string }>(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'notes' ORDER BY ordinal_position",
      );
      return rows.map((row) => row.column_name);
    }

    async function status(): Promise<StatusBody> {
      const answer = await call('GET', '/api/v1/migrations?environment=prod&service=notes');
      expect(answer.status).toBe(200);
      const [only] = answer.body['migrations'] as StatusBody[];
      return only!;
    }

    it('v3 rolls out without its contract; the contract is refused in the window, runs after it under load; a rollback to v1 is then refused', async (ctx) => {
      if (unavailable) return skipOrFail(unavailable, ctx.skip);
      root = mkdtempSync(join(tmpdir(), 'ferry-notes-contract-'));
      // Search-only for others: instances of a root server run as nobody and must reach releases.
      chmodSync(root, 0o711);
      const dirs = {
        v1: checkout(root, 'v1'),
        v2: checkout(root, 'v2'),
        v3: checkout(root, 'v3'),
      };
      const routePort = await freePort();
      const configPath = join(root, 'ferry.yaml');
      writeFileSync(configPath, configYaml(routePort, db!.url));
      dataDir = join(root, 'data');
      server = await startServer({
        configPath,
        dataDir,
        listen: { host: '127.0.0.1', port: await freePort() },
        logLevel: 'warn',
        clock,
      });

      const v1 = await deploy('v1', dirs.v1);
      expect(v1.phase, v1.reason ?? '').toBe('Succeeded');
      load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 50).start();
      const answered = (version: string) => load!.seenVersions()[version] ?? 0;
      await eventually(async () => (answered('v1') >= 50 ? true : undefined));
      const v2 = await deploy('v2', dirs.v2);
      expect(v2.phase, v2.reason ?? '').toBe('Succeeded');
      expect(await columns()).toEqual(['id', 'name', 'created_at', 'display_name']);

      // v3: its expand runs before the rollout, its contract does not.
      const v3 = await deploy('v3', dirs.v3);
      expect(v3.phase, v3.reason ?? '').toBe('Succeeded');
      await eventually(async () => (answered('v3') >= 50 ? true : undefined));
      expect(await columns()).toEqual(['id', 'name', 'created_at', 'display_name']);
      const v3Live = await call('GET', `/api/v1/deployments/${v3.id}`);
      const liveSince = Date.parse(v3Live.body['finishedAt'] as string);

      // v2's instances drain after the rollout: until they are gone, that is a reason too.
      const waiting = await eventually(
        async () => {
          const now = await status();
          const waits = now.pendingContract[0]?.waits ?? [];
          return waits.some((w) => w['kind'] === 'older-running') ? undefined : now;
        },
        30_000,
        'the instances of v2 to be gone',
      );
      expect(waiting.error).toBeNull();
      expect(waiting.applied.map((m) => [m.version, m.phase])).toEqual([
        ['1', 'expand'],
        ['2', 'expand'],
        ['2.1', 'expand'],
        ['2.2', 'expand'],
      ]);
      expect(waiting.pendingExpand).toEqual([]);
      expect(waiting.pendingContract).toHaveLength(1);
      const pending = waiting.pendingContract[0]!;
      expect(pending).toMatchObject({
        file: { version: '3', path: 'contract/V3__drop_name.sql' },
        shippedIn: { version: 'v3' },
        ready: false,
      });
      expect(pending.waits).toEqual([
        {
          kind: 'window',
          version: 'v3',
          liveSince: new Date(liveSince).toISOString(),
          until: new Date(liveSince + tenMinutes).toISOString(),
          waitMs: tenMinutes,
        },
      ]);
      expect(pending.reasons[0]).toContain(
        `last until ${new Date(liveSince + tenMinutes).toISOString()}`,
      );

      // The CLI says the same to a person.
      const shown = await execFileAsync(process.execPath, [
        join(projectRoot(), 'bin', 'ferry.js'),
        'migrations',
        'status',
        '--env',
        'prod',
        '--server',
        server.url,
      ]);
      expect(shown.stdout).toContain('notes in prod (v3)');
      expect(shown.stdout).toContain('applied: 1, 2, 2.1, 2.2');
      expect(shown.stdout).toContain('pending contract: contract/V3__drop_name.sql waits:');
      expect(shown.stdout).toContain(
        `its rollback window and soak (10m) last until ${new Date(liveSince + tenMinutes).toISOString()}`,
      );

      // Refused in the window: 409 with the reason, over the API and through the CLI.
      const early = await call('POST', '/api/v1/migrations/contract', {
        service: 'notes',
        environment: 'prod',
      });
      expect(early.status).toBe(409);
      const earlyError = early.body['error'] as { code: string; message: string };
      expect(earlyError.code).toBe('contract_waiting');
      expect(earlyError.message).toContain('contract/V3__drop_name.sql');
      expect(earlyError.message).toContain(
        `until ${new Date(liveSince + tenMinutes).toISOString()}`,
      );
      const refusedCli = await runFerry([
        'migrations',
        'contract',
        'notes',
        '--env',
        'prod',
        '--server',
        server.url,
      ]);
      expect(refusedCli.code).toBe(1);
      expect(refusedCli.stderr).toContain('V3__drop_name.sql');
      expect(refusedCli.stderr).toContain('rollback window');
      expect(await columns()).toContain('name');

      // A minute before the window ends: still refused. Past it: the contract runs, under load.
      offset = liveSince + tenMinutes - 60_000 - Date.now();
      expect(
        (
          await call('POST', '/api/v1/migrations/contract', {
            service: 'notes',
            environment: 'prod',
          })
        ).status,
      ).toBe(409);
      offset = liveSince + tenMinutes + 1_000 - Date.now();
      const beforeContract = answered('v3');
      const contracted = await runFerry([
        'migrations',
        'contract',
        'notes',
        '--env',
        'prod',
        '--server',
        server.url,
      ]);
      expect(contracted.code, contracted.stderr).toBe(0);
      expect(contracted.stderr).toContain('applied 3 drop name (contract) to notes in prod');
      expect(await columns()).toEqual(['id', 'created_at', 'display_name']);
      await eventually(async () => (answered('v3') >= beforeContract + 50 ? true : undefined));
      const result = await load.stop();
      load = undefined;
      expect(result.errors).toEqual([]);
      expect(result.non2xx).toBe(0);

      const history = await client!.query<{
        version: string;
        phase: string;
        deployment_id: string | null;
      }>("SELECT version, phase, deployment_id FROM ferry_schema_history WHERE version = '3'");
      expect(history.rows).toEqual([{ version: '3', phase: 'contract', deployment_id: null }]);
      const after = await status();
      expect(after.pendingContract).toEqual([]);
      expect(after.applied.map((m) => m.version)).toContain('3');
      const events = await call('GET', '/api/v1/events?kind=migration.&limit=1000');
      const contractEvents = (events.body['events'] as EventBody[]).filter(
        (e) => e.subject === 'migration/notes/prod',
      );
      expect(contractEvents.map((e) => [e.kind, e.payload['file'], e.payload['version']])).toEqual([
        ['migration.started', 'contract/V3__drop_name.sql', 'v3'],
        ['migration.finished', 'contract/V3__drop_name.sql', 'v3'],
      ]);

      // v1 wrote name, which is gone: a rollback to it is refused, naming the migration.
      const rollback = await call('POST', '/api/v1/rollbacks', {
        service: 'notes',
        environment: 'prod',
        toVersion: 'v1',
      });
      expect(rollback.status).toBe(409);
      const rollbackError = rollback.body['error'] as { code: string; message: string };
      expect(rollbackError.code).toBe('schema_contracted');
      expect(rollbackError.message).toContain('V3__drop_name.sql');
      const refusedRollback = await runFerry([
        'rollback',
        'notes',
        '--env',
        'prod',
        '--to',
        'v1',
        '--server',
        server.url,
      ]);
      expect(refusedRollback.code).toBe(1);
      expect(refusedRollback.stderr).toContain('V3__drop_name.sql');
      const latest = await call('GET', '/api/v1/deployments?service=notes&environment=prod');
      expect((latest.body['deployments'] as DeploymentBody[])[0]).toMatchObject({ id: v3.id });
    });
  },
);
