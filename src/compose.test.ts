import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { composeFerry, type Ferry } from './compose.js';
import { inMemoryStores } from './composition/in-memory-stores.js';
import { parseConfig } from './config/load-config.js';
import { tarGzOf, serverJs } from './features/artifacts/test-tarballs.js';
import { FakeInstanceRuntime } from './features/instances/fake-instance-runtime.js';
import { FakeTrafficRouter } from './features/routing/fake-traffic-router.js';
import { FakeTrafficSampler } from './features/routing/fake-traffic-sampler.js';
import { systemClock } from './shared/clock.js';

const config = parseConfig(
  `apiVersion: ferry.dev/v1
environments:
  - name: prod
services:
  web:
    runtime:
      local: { command: node server.js }
    routes: { prod: 127.0.0.1:18080 }
    strategy:
      canary:
        steps:
          - setWeight: 25
          - pause: {}
`,
  'ferry.yaml',
);

let dir: string | undefined;
let ferry: Ferry | undefined;
afterEach(async () => {
  await ferry?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  ferry = dir = undefined;
});

/** The whole server on fakes: in-memory stores, no processes, no listeners, no samples. */
async function composeOnFakes() {
  dir = mkdtempSync(join(tmpdir(), 'ferry-compose-'));
  const runtime = new FakeInstanceRuntime();
  const router = new FakeTrafficRouter();
  ferry = await composeFerry({
    config,
    dataDir: dir,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    parts: { stores: inMemoryStores(), runtime, router, sampler: new FakeTrafficSampler() },
  });
  await ferry.start();
  return { api: ferry.api, runtime, router };
}

type Api = Ferry['api'];

/** Uploads `version` of web and asks for its deployment to prod, as `ferry deploy` does. */
async function deploy(api: Api, version: string): Promise<string> {
  const upload = await api.inject({
    method: 'PUT',
    url: `/api/v1/artifacts/web/${version}`,
    headers: { 'content-type': 'application/gzip' },
    payload: tarGzOf([{ ...serverJs, body: `// ${version}\n` }]),
  });
  expect(upload.statusCode, upload.body).toBe(201);
  const created = await api.inject({
    method: 'POST',
    url: '/api/v1/deployments',
    payload: { service: 'web', environment: 'prod', version },
  });
  expect(created.statusCode, created.body).toBe(201);
  return created.json<{ deployment: { id: string } }>().deployment.id;
}

/** Waits until the deployment reaches `phase`, as a client polling the API would. */
async function reaches(api: Api, id: string, phase: string): Promise<void> {
  await vi.waitFor(
    async () => {
      const response = await api.inject({ method: 'GET', url: `/api/v1/deployments/${id}` });
      expect(response.json<{ phase: string }>().phase).toBe(phase);
    },
    { timeout: 10_000, interval: 20 },
  );
}

describe('composeFerry on fakes', () => {
  it('runs a canary through the HTTP API to Succeeded: 25% to v2, a pause, promote, all on v2', async () => {
    const { api, runtime, router } = await composeOnFakes();
    await reaches(api, await deploy(api, 'v1'), 'Succeeded');

    const v2 = await deploy(api, 'v2');
    await reaches(api, v2, 'Paused');
    const split = router.tableOf('web', 'prod');
    expect(split?.canaryWeight).toBe(25);
    expect(split?.backends.canary?.map((upstream) => upstream.version)).toEqual(['v2']);
    expect(split?.backends.stable?.map((upstream) => upstream.version)).toEqual(['v1']);

    const promoted = await api.inject({
      method: 'POST',
      url: '/api/v1/rollouts/web/prod/promote',
      payload: {},
    });
    expect(promoted.statusCode, promoted.body).toBe(200);
    await reaches(api, v2, 'Succeeded');

    const done = router.tableOf('web', 'prod');
    expect(done?.backends.stable?.map((upstream) => upstream.version)).toEqual(['v2']);
    expect(done?.canaryWeight ?? 0).toBe(0);
    await vi.waitFor(() =>
      expect(runtime.list().map((instance) => instance.spec.version)).toEqual(['v2']),
    );
  });
});
