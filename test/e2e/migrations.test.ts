import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConstantLoad } from '../../src/demo/constant-load.js';
import { freePort } from '../../src/demo/free-port.js';
import { projectRoot } from '../../src/shared/project-root.js';
import { eventually, startDeploy, waitForFinal, type DeploymentBody } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';
import { copyPackageTree } from '../support/node-packages.js';
import {
  createPostgresDatabase,
  postgresUnavailable,
  type PostgresDatabase,
} from '../support/postgres.js';
import { skipOrFail } from '../support/tmpfs.js';

interface EventBody {
  readonly kind: string;
  readonly payload: Record<string, unknown>;
}

const example = join(projectRoot(), 'examples', 'notes');

/** examples/notes as version 2 (as checked in) or version 1 (name only, V1 alone). */
function checkout(root: string, version: 'v1' | 'v2'): string {
  const dir = join(root, version);
  cpSync(example, dir, { recursive: true });
  copyPackageTree('pg', projectRoot(), dir);
  if (version === 'v1') {
    rmSync(join(dir, 'db/migrations/expand/V2__add_display_name.sql'));
    rmSync(join(dir, 'db/migrations/expand/V2_1__backfill_display_name.sql'));
    const code = readFileSync(join(dir, 'server.js'), 'utf8');
    writeFileSync(
      join(dir, 'server.js'),
      code.replace('const WRITES_DISPLAY_NAME = true;', 'const WRITES_DISPLAY_NAME = false;'),
    );
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
    database:
      url: { env: DATABASE_URL }
      migrations: db/migrations
      lockTimeout: 300ms
      lockRetries: 2
    strategy:
      canary:
        abortScaleDownDelay: 1s
        steps:
          - setWeight: 50
          - pause: { duration: 3s }
`;
}

// The artifacts carry pg's node_modules; the rehearsal runs pg_dump and psql.
describe(
  'expand migrations before the rollout, on the real PostgreSQL',
  { timeout: 240_000 },
  () => {
    let unavailable: string | undefined;
    let db: PostgresDatabase | undefined;
    let client: pg.Client | undefined;
    let server: FerryServer | undefined;
    let load: ConstantLoad | undefined;
    let root: string | undefined;

    beforeAll(async () => {
      unavailable = await postgresUnavailable();
      if (unavailable) return;
      db = await createPostgresDatabase();
      client = new pg.Client({ connectionString: db.url });
      await client.connect();
    });
    afterAll(async () => {
      await load?.stop();
      await server?.destroy();
      await client?.end();
      await db?.drop();
      if (root) rmSync(root, { recursive: true, force: true });
    });

    async function columns(): Promise<string[]> {
      const { rows } = await client!.query<{ column_name: string }>(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'notes' ORDER BY ordinal_position",
      );
      return rows.map((row) => row.column_name);
    }

    async function eventsOf(deployment: DeploymentBody): Promise<EventBody[]> {
      const { events } = await server!.get<{ events: EventBody[] }>(
        `/api/v1/events?kind=migration.&subject=deployment/${deployment.id}`,
      );
      return events;
    }

    it('a migration blocked by a held lock fails fast naming it, v1 serving; then v2 rolls out with 0 failed requests', async (ctx) => {
      if (unavailable) return skipOrFail(unavailable, ctx.skip);
      root = mkdtempSync(join(tmpdir(), 'ferry-notes-'));
      const v1Dir = checkout(root, 'v1');
      const v2Dir = checkout(root, 'v2');
      const routePort = await freePort();
      server = await FerryServer.create(configYaml(routePort, db!.url));
      await server.start();

      const v1 = await startDeploy(server, 'notes', 'prod', 'v1', v1Dir);
      expect(await waitForFinal(server, v1.id)).toMatchObject({ phase: 'Succeeded' });
      expect(await columns()).toEqual(['id', 'name', 'created_at']);

      load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 100).start();
      const answered = (version: string) => load!.seenVersions()[version] ?? 0;
      await eventually(async () => (answered('v1') >= 100 ? true : undefined));

      // A session of the test reads notes in an open transaction: ALTER TABLE cannot take its lock.
      const holder = new pg.Client({ connectionString: db!.url });
      await holder.connect();
      await holder.query('BEGIN');
      await holder.query('SELECT count(*) FROM notes /* held by the test */');
      let blocked: DeploymentBody;
      try {
        const started = await startDeploy(server, 'notes', 'prod', 'v2', v2Dir);
        blocked = await waitForFinal(server, started.id);
      } finally {
        await holder.query('ROLLBACK');
        await holder.end();
      }
      expect(blocked.phase).toBe('Aborted');
      expect(blocked.reason).toContain('V2__add_display_name.sql');
      expect(blocked.reason).toContain('SELECT count(*) FROM notes /* held by the test */');
      expect(await columns()).toEqual(['id', 'name', 'created_at']);
      const started = await server.get<{ instances: unknown[] }>(
        `/api/v1/instances?deployment=${blocked.id}`,
      );
      expect(started.instances).toEqual([]);
      const failed = await eventsOf(blocked);
      expect(failed.map((e) => e.kind)).toEqual(['migration.started', 'migration.failed']);
      expect(failed[1]?.payload).toMatchObject({
        service: 'notes',
        environment: 'prod',
        version: 'v2',
        file: 'expand/V2__add_display_name.sql',
        code: 'lock_timeout',
      });
      const seenV1 = answered('v1');
      await eventually(async () => (answered('v1') >= seenV1 + 50 ? true : undefined));
      expect(answered('v2')).toBe(0);

      // The lock is gone: the same rollout, retried, migrates and rolls out under the same load.
      const { rows } = await client!.query<{ last: string }>('SELECT max(id) AS last FROM notes');
      const writtenByV1 = Number(rows[0]!.last);
      const retried = await server.send('POST', '/api/v1/rollouts/notes/prod/retry', {});
      expect(retried.status).toBe(200);
      expect(await waitForFinal(server, blocked.id, 120_000)).toMatchObject({ phase: 'Succeeded' });
      const v2AtEnd = answered('v2');
      await eventually(async () => (answered('v2') >= v2AtEnd + 50 ? true : undefined));
      const result = await load.stop();
      load = undefined;

      expect(result.errors).toEqual([]);
      expect(result.non2xx).toBe(0);
      expect(result.versions['v2']).toBeGreaterThan(0);
      expect(await columns()).toEqual(['id', 'name', 'created_at', 'display_name']);
      const unfilled = await client!.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM notes WHERE id <= $1 AND display_name IS NULL',
        [writtenByV1],
      );
      expect(unfilled.rows[0]!.n).toBe(0);
      const history = await client!.query<{ version: string; deployment_id: string | null }>(
        'SELECT version, deployment_id FROM ferry_schema_history ORDER BY applied_at, version',
      );
      expect(history.rows.map((row) => [row.version, row.deployment_id])).toEqual([
        ['1', v1.id],
        ['2', blocked.id],
        ['2.1', blocked.id],
      ]);
      const told = await eventsOf(blocked);
      expect(told.map((e) => [e.kind, e.payload['migration'] ?? null])).toEqual([
        ['migration.started', '2'],
        ['migration.failed', '2'],
        ['migration.started', '2'],
        ['migration.finished', '2'],
        ['migration.started', '2.1'],
        ['migration.finished', '2.1'],
      ]);
      const all = await server.get<{ events: EventBody[] }>('/api/v1/events?limit=1000');
      expect(
        JSON.stringify(all.events.filter((e) => e.kind.startsWith('migration.'))),
      ).not.toContain(db!.url);
    });
  },
);
