import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { composeFerry, type Ferry } from '../../compose.js';
import { inMemoryStores } from '../../composition/in-memory-stores.js';
import { parseConfig } from '../../config/load-config.js';
import { systemClock } from '../../shared/clock.js';
import { serverJs, tarGzOf } from '../artifacts/test-tarballs.js';
import { FakeInstanceRuntime } from '../instances/fake-instance-runtime.js';
import { FakeTrafficRouter } from '../routing/fake-traffic-router.js';

/** ferry.yaml with `web` in prod (and `worker` unless left out). */
function yaml(options: { replicas?: number; greeting?: string; worker?: boolean } = {}) {
  return `apiVersion: ferry.dev/v1
environments:
  - name: prod
services:
  web:
    replicas: ${options.replicas ?? 1}
    runtime:
      local:
        command: node server.js
        env: { GREETING: ${options.greeting ?? 'hello'} }
    routes: { prod: 127.0.0.1:18080 }
    strategy:
      canary:
        steps:
          - setWeight: 25
          - pause: {}
${
  options.worker === false
    ? ''
    : `  worker:
    runtime:
      local: { command: node worker.js }
    routes: { prod: 127.0.0.1:18090 }
`
}`;
}

let dir: string | undefined;
let ferry: Ferry | undefined;
afterEach(async () => {
  await ferry?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  ferry = dir = undefined;
});

/** The whole server on fakes, with web v1 live in prod. */
async function serverWithWebLive() {
  dir = mkdtempSync(join(tmpdir(), 'ferry-config-routes-'));
  const runtime = new FakeInstanceRuntime();
  const router = new FakeTrafficRouter();
  ferry = await composeFerry({
    config: parseConfig(yaml(), 'ferry.yaml'),
    dataDir: dir,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    parts: { stores: inMemoryStores(), runtime, router },
  });
  await ferry.start();
  const api = ferry.api;
  const upload = await api.inject({
    method: 'PUT',
    url: '/api/v1/artifacts/web/v1',
    headers: { 'content-type': 'application/gzip' },
    payload: tarGzOf([serverJs]),
  });
  expect(upload.statusCode, upload.body).toBe(201);
  const created = await api.inject({
    method: 'POST',
    url: '/api/v1/deployments',
    payload: { service: 'web', environment: 'prod', version: 'v1' },
  });
  const id = created.json<{ deployment: { id: string } }>().deployment.id;
  await reaches(id, 'Succeeded');
  return { api, runtime, router };
}

async function reaches(id: string, phase: string): Promise<void> {
  await vi.waitFor(
    async () => {
      const response = await ferry!.api.inject({ method: 'GET', url: `/api/v1/deployments/${id}` });
      expect(response.json<{ phase: string }>().phase).toBe(phase);
    },
    { timeout: 10_000, interval: 20 },
  );
}

function apply(body: { text: string; file?: string; prune?: boolean; dryRun?: boolean }) {
  return ferry!.api.inject({ method: 'POST', url: '/api/v1/config', payload: body });
}

async function history() {
  const response = await ferry!.api.inject({
    method: 'GET',
    url: '/api/v1/deployments?service=web&environment=prod',
  });
  return response.json<{ deployments: { id: string; version: string; phase: string }[] }>()
    .deployments;
}

describe('POST /api/v1/config', () => {
  it('rolls the live version out again with new replicas and env, as a rolling update', async () => {
    const { runtime } = await serverWithWebLive();
    const response = await apply({ text: yaml({ replicas: 2, greeting: 'bonjour' }) });
    expect(response.statusCode, response.body).toBe(200);
    const result = response.json<{
      applied: boolean;
      actions: { service: string; action: string; fields: string[]; deploymentId?: string }[];
    }>();
    expect(result.applied).toBe(true);
    expect(result.actions).toEqual([
      {
        service: 'web',
        environment: 'prod',
        action: 'rollout',
        fields: ['replicas', 'runtime.local.env.GREETING'],
        deploymentId: expect.any(String),
      },
    ]);
    const id = result.actions[0]!.deploymentId!;
    await reaches(id, 'Succeeded');
    await vi.waitFor(() => {
      const running = runtime.list().filter((i) => i.phase === 'ready');
      expect(running.map((i) => [i.spec.version, i.spec.env['GREETING']])).toEqual([
        ['v1', 'bonjour'],
        ['v1', 'bonjour'],
      ]);
    });
    const events = await ferry!.api.inject({
      method: 'GET',
      url: `/api/v1/events?subject=deployment/${id}`,
    });
    const created = events
      .json<{ events: { kind: string; payload: Record<string, unknown> }[] }>()
      .events.find((e) => e.kind === 'deployment.created');
    expect(created?.payload).toMatchObject({
      kind: 'deploy',
      version: 'v1',
      configChange: ['replicas', 'runtime.local.env.GREETING'],
    });
    const services = await ferry!.api.inject({ method: 'GET', url: '/api/v1/services/web' });
    expect(
      services.json<{ environments: { replicas: number }[] }>().environments[0]?.replicas,
    ).toBe(2);
  });

  it('moves a live route to its new address without replacing an instance', async () => {
    const { runtime, router } = await serverWithWebLive();
    const before = runtime.list().map((i) => i.spec.instanceId);
    const response = await apply({ text: yaml().replace('127.0.0.1:18080', '127.0.0.1:18085') });
    const [action] = response.json<{ actions: { fields: string[]; deploymentId: string }[] }>()
      .actions;
    expect(action?.fields).toEqual(['routes.prod']);
    await reaches(action!.deploymentId, 'Succeeded');
    await vi.waitFor(() => expect(router.tableOf('web', 'prod')?.listen.port).toBe(18085));
    expect(runtime.list().map((i) => i.spec.instanceId)).toEqual(before);
  });

  it('refuses a file that does not validate with 422 and every problem located; nothing changes', async () => {
    const { runtime } = await serverWithWebLive();
    const before = runtime.list().map((i) => i.spec.instanceId);
    const bad = yaml({ replicas: 2 }).replace('replicas: 2', 'replicas: two');
    const response = await apply({ text: bad, file: 'conf/ferry.yaml' });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({
      error: {
        code: 'config_rejected',
        message: 'conf/ferry.yaml: 1 error; nothing changed',
        errors: [
          {
            file: 'conf/ferry.yaml',
            line: 6,
            col: 15,
            path: 'services.web.replicas',
            message: expect.any(String),
          },
        ],
      },
    });
    expect(ferry!.config.current.services.web?.replicas).toBe(1);
    expect(await history()).toHaveLength(1);
    expect(runtime.list().map((i) => i.spec.instanceId)).toEqual(before);
  });

  it('refuses to remove a service that runs without prune (409, naming it); prune stops it', async () => {
    const { runtime, router } = await serverWithWebLive();
    const text = yaml().replace(/ {2}web:[\s\S]*?(?= {2}worker:)/, '');
    const refused = await apply({ text });
    expect(refused.statusCode).toBe(409);
    expect(refused.json<{ error: { message: string } }>().error.message).toMatch(
      /^the file removes web in prod, which still runs: apply with --prune/,
    );
    expect(Object.keys(ferry!.config.current.services)).toEqual(['web', 'worker']);

    const pruned = await apply({ text, prune: true });
    expect(pruned.statusCode, pruned.body).toBe(200);
    expect(pruned.json<{ actions: unknown[] }>().actions).toEqual([
      { service: 'web', environment: 'prod', action: 'stop', fields: [] },
    ]);
    expect(Object.keys(ferry!.config.current.services)).toEqual(['worker']);
    expect(await ferry!.deployments.stopOf({ service: 'web', environment: 'prod' })).toBeDefined();
    await vi.waitFor(() => {
      expect(router.tableOf('web', 'prod')).toBeUndefined();
      expect(runtime.list().filter((i) => i.phase !== 'stopped')).toEqual([]);
    });
  });

  it('removes a service that never ran without prune', async () => {
    await serverWithWebLive();
    const response = await apply({ text: yaml({ worker: false }) });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json<{ actions: unknown[] }>().actions).toEqual([
      { service: 'worker', environment: 'prod', action: 'forget', fields: [] },
    ]);
  });

  it('refuses router settings a running router cannot take (409); nothing changes', async () => {
    await serverWithWebLive();
    const text = yaml({ replicas: 2 }).replace('services:', 'router:\n  workers: 2\nservices:');
    const response = await apply({ text });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({
      error: {
        code: 'conflict',
        message: 'ferry.yaml changes what only a restart applies (router.workers); nothing changed',
      },
    });
    expect(ferry!.config.current.services.web?.replicas).toBe(1);
    expect(await history()).toHaveLength(1);
  });

  it('with dryRun answers the plan and changes nothing', async () => {
    const { runtime } = await serverWithWebLive();
    const before = { config: ferry!.config.current, instances: runtime.list().length };
    const response = await apply({ text: yaml({ replicas: 3 }), dryRun: true });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      applied: false,
      dryRun: true,
      actions: [{ service: 'web', action: 'rollout', fields: ['replicas'] }],
    });
    expect(ferry!.config.current).toBe(before.config);
    expect(await history()).toHaveLength(1);
    expect(runtime.list()).toHaveLength(before.instances);
  });

  it('lets a running rollout keep its spec and rolls the change out once it ends', async () => {
    await serverWithWebLive();
    const api = ferry!.api;
    await api.inject({
      method: 'PUT',
      url: '/api/v1/artifacts/web/v2',
      headers: { 'content-type': 'application/gzip' },
      payload: tarGzOf([{ ...serverJs, body: '// v2\n' }]),
    });
    const v2 = (
      await api.inject({
        method: 'POST',
        url: '/api/v1/deployments',
        payload: { service: 'web', environment: 'prod', version: 'v2' },
      })
    ).json<{ deployment: { id: string } }>().deployment.id;
    await reaches(v2, 'Paused');

    const response = await apply({ text: yaml({ greeting: 'hallo' }) });
    expect(response.json<{ actions: { action: string }[] }>().actions[0]?.action).toBe(
      'after_rollout',
    );
    const paused = await ferry!.deployments.get(v2);
    expect(paused.spec.runtime.local.env['GREETING']).toBe('hello');

    await api.inject({ method: 'POST', url: '/api/v1/rollouts/web/prod/promote', payload: {} });
    await reaches(v2, 'Succeeded');
    await vi.waitFor(
      async () => {
        const [latest] = await history();
        expect(latest?.id).not.toBe(v2);
        expect(latest?.version).toBe('v2');
        expect(latest?.phase).toBe('Succeeded');
      },
      { timeout: 10_000, interval: 20 },
    );
    const [latest] = await history();
    const reconfigured = await ferry!.deployments.get(latest!.id);
    expect(reconfigured.spec.runtime.local.env['GREETING']).toBe('hallo');
  });
});
