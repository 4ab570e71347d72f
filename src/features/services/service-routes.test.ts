import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { composeFerry, type Ferry } from '../../compose.js';
import { inMemoryStores } from '../../composition/in-memory-stores.js';
import { parseConfig } from '../../config/load-config.js';
import { systemClock } from '../../shared/clock.js';
import { FakeInstanceRuntime } from '../instances/fake-instance-runtime.js';
import { FakeTrafficRouter } from '../routing/fake-traffic-router.js';
import { FakeTrafficSampler } from '../routing/fake-traffic-sampler.js';

const config = parseConfig(
  `apiVersion: ferry.dev/v1
environments: [{ name: dev }, { name: prod }]
services:
  web:
    replicas: 1
    runtime: { local: { command: node server.js } }
    routes: { dev: 127.0.0.1:18081, prod: 127.0.0.1:18080 }
    overrides:
      prod: { replicas: 3 }
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

describe('GET /api/v1/services/:name', () => {
  it('shows the replicas each environment runs with, its override applied', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-service-routes-'));
    ferry = await composeFerry({
      config,
      dataDir: dir,
      clock: systemClock,
      logger: pino({ level: 'silent' }),
      parts: {
        stores: inMemoryStores(),
        runtime: new FakeInstanceRuntime(),
        router: new FakeTrafficRouter(),
        sampler: new FakeTrafficSampler(),
      },
    });
    const response = await ferry.api.inject({ method: 'GET', url: '/api/v1/services/web' });
    expect(response.statusCode, response.body).toBe(200);
    const { environments } = response.json<{
      environments: { environment: string; replicas: number; listen: string }[];
    }>();
    expect(
      environments.map(({ environment, replicas, listen }) => [environment, replicas, listen]),
    ).toEqual([
      ['dev', 1, '127.0.0.1:18081'],
      ['prod', 3, '127.0.0.1:18080'],
    ]);
  });
});
