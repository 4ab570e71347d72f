import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeFerry, type Ferry } from '../../src/compose.js';
import { kyselyStores } from '../../src/composition/kysely-stores.js';
import { parseConfig } from '../../src/config/load-config.js';
import { serverJs, tarGzOf } from '../../src/features/artifacts/test-tarballs.js';
import { KyselyAuditStore } from '../../src/features/audit/kysely-audit-store.js';
import {
  permissions,
  roleAllows,
  tokenRoles,
  type TokenRole,
} from '../../src/features/auth/domain/permissions.js';
import { FakeInstanceRuntime } from '../../src/features/instances/fake-instance-runtime.js';
import { FakeTrafficRouter } from '../../src/features/routing/fake-traffic-router.js';
import { FakeTrafficSampler } from '../../src/features/routing/fake-traffic-sampler.js';
import { mutatingMethods, routeTable, type RouteEntry } from '../../src/server/route-table.js';
import { systemClock } from '../../src/shared/clock.js';
import { openSqlite } from '../../src/store/open-sqlite.js';

const config = parseConfig(
  `apiVersion: ferry.dev/v1
environments:
  - name: staging
  - name: prod
services:
  web:
    runtime:
      local: { command: node server.js }
    routes: { staging: 127.0.0.1:18081, prod: 127.0.0.1:18080 }
`,
  'ferry.yaml',
);

/** A token per role on every environment, and one per role scoped to staging alone. */
interface Caller {
  readonly label: string;
  readonly role: TokenRole | undefined;
  readonly scopes: readonly string[];
  readonly secret: string | undefined;
  /** What the audit log must say about it. */
  readonly actor: string;
}

let dir: string;
let ferry: Ferry;
let base: string;
let audit: KyselyAuditStore;
const callers: Caller[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-roles-'));
  const db = await openSqlite(join(dir, 'ferry.db'));
  audit = new KyselyAuditStore(db);
  ferry = await composeFerry({
    config,
    dataDir: dir,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    tokenRequired: true,
    parts: {
      stores: kyselyStores(db),
      runtime: new FakeInstanceRuntime(),
      router: new FakeTrafficRouter(),
      sampler: new FakeTrafficSampler(),
    },
  });
  await ferry.start();
  base = await ferry.api.listen({ host: '127.0.0.1', port: 0 });
  for (const role of tokenRoles) {
    for (const scopes of [['*'], ['staging']]) {
      const name = `${role}-${scopes.join('')}`.replace('*', 'all');
      const { token, secret } = await ferry.tokens.create({ name, actor: 'test', role, scopes });
      callers.push({ label: name, role, scopes, secret, actor: `token:${token.id}` });
    }
  }
  callers.push({
    label: 'no token',
    role: undefined,
    scopes: [],
    secret: undefined,
    actor: 'anonymous',
  });
});

afterAll(async () => {
  await ferry.close();
  rmSync(dir, { recursive: true, force: true });
});

const samples: Record<string, string> = {
  service: 'web',
  name: 'web',
  environment: 'prod',
  id: 'nope',
  version: 'v9',
  action: 'pause',
};

/** Real HTTP; a stream's body is dropped once its status is known. */
async function call(route: RouteEntry, secret: string | undefined) {
  const url = route.url.replace(/:(\w+)/g, (_m, p: string) => samples[p] ?? 'x');
  const mutating = mutatingMethods.has(route.method);
  const response = await fetch(`${base}${url}`, {
    method: route.method,
    headers: {
      ...(secret === undefined ? {} : { authorization: `Bearer ${secret}` }),
      ...(mutating ? { 'content-type': 'application/json' } : {}),
    },
    ...(mutating
      ? {
          body: JSON.stringify({
            service: 'web',
            environment: 'prod',
            to: 'prod',
            version: 'v9',
            name: 'matrix',
          }),
        }
      : {}),
  });
  const text = route.method === 'HEAD' || url.endsWith('/stream') ? '' : await response.text();
  await response.body?.cancel().catch(() => undefined);
  return { status: response.status, text };
}

/** Whether a call to `route` names an environment (prod) the staging-scoped tokens lack. */
function namesProd(route: RouteEntry): boolean {
  return route.url.includes(':environment') || mutatingMethods.has(route.method);
}

describe('role matrix over the server’s own route table', () => {
  it('every route declares a permission; every mutating one more than read or public', () => {
    const table = routeTable(ferry.api);
    expect(table.length).toBeGreaterThan(20);
    for (const route of table) {
      expect([...permissions, 'public'], `${route.method} ${route.url}`).toContain(
        route.permission,
      );
      if (mutatingMethods.has(route.method)) {
        expect(['public', 'read'], `${route.method} ${route.url}`).not.toContain(route.permission);
      }
    }
    expect(table.filter((r) => mutatingMethods.has(r.method)).length).toBeGreaterThan(8);
  });

  it('every role and scope against every route: 403 exactly where the role or scope falls short; each mutating call is audited', async () => {
    const sent: string[] = [];
    // HEAD of the event stream sends no headers until an event comes (a stream of its own); the
    // GET it mirrors, with the same declaration, is called.
    const routes = routeTable(ferry.api).filter(
      (r) => r.permission !== 'public' && !(r.method === 'HEAD' && r.url.endsWith('/stream')),
    );
    for (const route of routes) {
      for (const caller of callers) {
        const where = `${caller.label} ${route.method} ${route.url}`;
        const { status, text } = await call(route, caller.secret);
        if (mutatingMethods.has(route.method)) {
          sent.push(`${route.method} ${route.url} ${caller.actor} ${status}`);
        }
        const permission = route.permission;
        if (caller.role === undefined || permission === 'public') {
          expect(status, where).toBe(401);
        } else if (!roleAllows(caller.role, permission)) {
          expect(status, where).toBe(403);
          if (text) {
            expect(JSON.parse(text), where).toMatchObject({
              error: { code: 'forbidden', permission, environment: null },
            });
          }
        } else if (!caller.scopes.includes('*') && namesProd(route)) {
          expect(status, where).toBe(403);
          if (text) {
            expect(JSON.parse(text), where).toMatchObject({
              error: { code: 'forbidden', permission, environment: 'prod' },
            });
          }
        } else {
          expect([401, 403], `${where}: ${status} ${text.slice(0, 200)}`).not.toContain(status);
        }
      }
    }
    const entries = await audit.query({ limit: 100_000 });
    const recorded = entries.map((e) => `${e.action} ${e.actor} ${e.status}`);
    expect(recorded.sort()).toEqual(sent.sort());
    const refusals = entries.filter((e) => e.status === 403);
    expect(refusals.length).toBeGreaterThan(0);
    for (const e of refusals) expect(e.errorCode).toBe('forbidden');
    for (const e of entries.filter((x) => x.status === 401)) {
      expect(e.errorCode).toBe('unauthorized');
    }
  });
});

describe('roles on real calls', () => {
  const secretOf = (label: string) => callers.find((c) => c.label === label)?.secret ?? '';
  const send = (method: string, path: string, label: string, body?: unknown) =>
    fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${secretOf(label)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('a viewer gets 403 on deploy; a deployer on staging deploys there, gets 403 on prod; both audited', async () => {
    const upload = await fetch(`${base}/api/v1/artifacts/web/v1`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${secretOf('deployer-staging')}`,
        'content-type': 'application/gzip',
      },
      body: new Uint8Array(tarGzOf([serverJs])),
    });
    expect(upload.status).toBe(201);
    const deploy = { service: 'web', environment: 'staging', version: 'v1' };
    const viewer = await send('POST', '/api/v1/deployments', 'viewer-all', deploy);
    expect(viewer.status).toBe(403);
    expect(await viewer.json()).toMatchObject({
      error: { code: 'forbidden', permission: 'deploy', environment: null },
    });
    const staging = await send('POST', '/api/v1/deployments', 'deployer-staging', deploy);
    expect(staging.status).toBe(201);
    const deployment = ((await staging.json()) as { deployment: { id: string } }).deployment;
    const prod = await send('POST', '/api/v1/deployments', 'deployer-staging', {
      ...deploy,
      environment: 'prod',
    });
    expect(prod.status).toBe(403);
    expect(await prod.json()).toMatchObject({
      error: { code: 'forbidden', permission: 'deploy', environment: 'prod' },
    });

    expect((await send('GET', '/api/v1/audit', 'deployer-all')).status).toBe(403);
    const read = await send('GET', '/api/v1/audit?actor=deployer-staging&limit=3', 'admin-all');
    expect(read.status).toBe(200);
    const { entries } = (await read.json()) as { entries: Record<string, unknown>[] };
    expect(entries.map((e) => [e['action'], e['status'], e['errorCode']])).toEqual([
      ['POST /api/v1/deployments', 403, 'forbidden'],
      ['POST /api/v1/deployments', 201, null],
      ['PUT /api/v1/artifacts/:service/:version', 201, null],
    ]);
    expect(entries[1]).toMatchObject({
      actorName: 'deployer-staging',
      target: { service: 'web', environment: 'staging', version: 'v1' },
      parameters: { body: deploy },
      before: null,
      after: { deployment: deployment.id, version: 'v1' },
    });
  });
});
