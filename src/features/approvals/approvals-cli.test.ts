import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.js';
import { captureIo } from '../../cli/test-api-server.js';
import { composeFerry, type Ferry } from '../../compose.js';
import { kyselyStores } from '../../composition/kysely-stores.js';
import { parseConfig } from '../../config/load-config.js';
import { ManualClock } from '../../shared/clock.js';
import { openSqlite } from '../../store/open-sqlite.js';
import { tarGzOf } from '../artifacts/test-tarballs.js';
import { FakeInstanceRuntime } from '../instances/fake-instance-runtime.js';
import { FakeTrafficRouter } from '../routing/fake-traffic-router.js';

const config = parseConfig(
  `apiVersion: ferry.dev/v1
environments:
  - name: staging
  - { name: prod, from: null }
services:
  web:
    runtime:
      local: { command: node server.js }
    routes: { staging: 127.0.0.1:18181, prod: 127.0.0.1:18182 }
risk:
  rules:
    - name: prod-migrations
      when: { environments: [prod], meta: { migrations: "true" } }
      require: { approvals: 1, roles: [approver], expiry: 2h }
`,
  'ferry.yaml',
);

let dir: string;
let ferry: Ferry | undefined;
let base: string;
const secrets: Record<string, string> = {};

/** The whole API on a fresh SQLite file, listening on a free port, with a token per person. */
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-approvals-cli-'));
  const db = await openSqlite(join(dir, 'ferry.db'));
  ferry = await composeFerry({
    config,
    dataDir: join(dir, 'data'),
    clock: new ManualClock(Date.parse('2026-03-02T10:00:00Z')),
    logger: pino({ level: 'silent' }),
    parts: {
      stores: kyselyStores(db),
      runtime: new FakeInstanceRuntime(),
      router: new FakeTrafficRouter(),
    },
  });
  await ferry.start();
  await ferry.api.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(ferry.api.server.address() as AddressInfo).port}`;
  const people = [
    ['ci', 'deployer', ['staging', 'prod']],
    ['alice', 'approver', ['prod']],
    ['bob', 'approver', ['staging']],
  ] as const;
  for (const [name, role, scopes] of people) {
    const created = await ferry.tokens.create({ name, actor: 'local', role, scopes });
    secrets[name] = created.secret;
  }
});

afterEach(async () => {
  await ferry?.close();
  ferry = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function ferryCli(as: string, ...args: string[]) {
  const out = captureIo({ env: { FERRY_TOKEN: secrets[as] } });
  const code = await main([...args, '--server', base], out.io);
  return { code, stdout: out.stdout(), stderr: out.stderr() };
}

async function call(as: string, method: 'GET' | 'POST', path: string, body?: object) {
  const res = await request(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${secrets[as]}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

/** CI uploads v1 with migrations=true and deploys it to prod: it waits for approval. */
async function waitingDeploy(): Promise<string> {
  const upload = await request(`${base}/api/v1/artifacts/web/v1`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${secrets['ci']}`,
      'content-type': 'application/gzip',
      'x-ferry-meta': '{"migrations":"true"}',
    },
    body: tarGzOf([{ path: 'server.js', body: 'console.log("v1")\n' }]),
  });
  expect(upload.statusCode, await upload.body.text()).toBeLessThan(300);
  const deployed = await call('ci', 'POST', '/api/v1/deployments', {
    service: 'web',
    environment: 'prod',
    version: 'v1',
  });
  expect(deployed.body).toMatchObject({ deployment: { phase: 'Paused' } });
  const listed = await call('alice', 'GET', '/api/v1/approvals?status=pending');
  const [approval] = listed.body['approvals'] as { id: string }[];
  return approval!.id;
}

describe('ferry approvals against a real server', () => {
  it('lists the pending approval with why; the deployer is refused, a staging approver too, a prod approver passes it', async () => {
    const id = await waitingDeploy();
    const listed = await ferryCli('alice', 'approvals', 'list');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).toContain('prod-migrations: environment prod, artifact migrations=true');

    const self = await ferryCli('ci', 'approvals', 'approve', id);
    expect(self.code).toBe(1);
    expect(self.stderr.trimEnd().split('\n').at(-1)).toBe(
      `error: a deployer token lacks the "approve" permission`,
    );
    const elsewhere = await call('bob', 'POST', `/api/v1/approvals/${id}/approve`, {});
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body).toMatchObject({
      error: { code: 'forbidden', environment: 'prod', permission: 'approve' },
    });

    const approved = await ferryCli('alice', 'approvals', 'approve', id, '--comment', 'reviewed');
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stderr).toBe(`approved ${id} (1/1): web v1 in prod starts now\n`);
    const shown = await ferryCli('alice', 'approvals', 'list', '--all', '--json');
    expect(JSON.parse(shown.stdout)).toMatchObject({
      approvals: [
        {
          id,
          status: 'approved',
          outcome: 'proceed',
          decisions: [{ actor: expect.stringMatching(/^token:/), comment: 'reviewed' }],
        },
      ],
    });
  });

  it('a rejection through the CLI aborts the deployment with the comment as its reason', async () => {
    const id = await waitingDeploy();
    const rejected = await ferryCli('alice', 'approvals', 'reject', id, '--comment', 'not today');
    expect(rejected.code, rejected.stderr).toBe(0);
    expect(rejected.stderr).toBe(`rejected ${id}: web v1 in prod is aborted\n`);
    const history = await call('alice', 'GET', '/api/v1/deployments?service=web&environment=prod');
    expect(JSON.stringify(history.body)).toContain(`rejected by token:`);
    expect(JSON.stringify(history.body)).toContain(': not today');
    const again = await ferryCli('alice', 'approvals', 'approve', id);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`approval ${id} is rejected already`);
  });

  it('approve without an id is a usage error', async () => {
    const missing = await ferryCli('alice', 'approvals', 'approve');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('error: ferry approvals approve needs an approval id\n');
  });
});
