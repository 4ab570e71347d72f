import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { eventually, startDeploy, waitForFinal } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { helloConfig } from '../../src/demo/hello-config.js';

interface EventBody {
  id: number;
  kind: string;
  subject: string;
  payload: Record<string, unknown>;
}
interface InstanceBody {
  id: string;
  version: string;
  pid: number;
  phase: string;
  port: number;
}

describe('a server killed in the middle of a rolling update', () => {
  let server: FerryServer | undefined;
  afterEach(async () => {
    await server?.destroy();
    server = undefined;
  });

  it('re-adopts its instances after SIGKILL and finishes the rollout with no orphan', async () => {
    const routePort = await freePort();
    server = await FerryServer.create(helloConfig({ routePort, replicas: 3 }));
    await server.start();
    const v1 = await startDeploy(server, 'hello', 'prod', 'v1', helloVersion({ version: 'v1' }));
    await waitForFinal(server, v1.id);

    // Slow starts stretch the rollout so the kill lands in its middle.
    const v2 = await startDeploy(
      server,
      'hello',
      'prod',
      'v2',
      helloVersion({ version: 'v2', startDelayMs: 1500 }),
    );
    await eventually(
      async () => {
        const { events } = await server!.get<{ events: EventBody[] }>(
          '/api/v1/events?kind=instance.ready&limit=1000',
        );
        return events.find((e) => e.payload['version'] === 'v2');
      },
      30_000,
      'the first v2 instance to be ready',
    );
    const beforeKill = server.instancePids();
    await server.kill('SIGKILL');

    // Instances outlive the server by design: both versions are still running.
    expect(server.instancePids().length).toBeGreaterThanOrEqual(beforeKill.length - 1);

    await server.start();
    const final = await waitForFinal(server, v2.id);
    expect(['Succeeded', 'RolledBack']).toContain(final.phase);
    expect(final.phase).toBe('Succeeded');

    const { instances } = await server.get<{ instances: InstanceBody[] }>(
      '/api/v1/instances?service=hello&environment=prod',
    );
    expect(instances).toHaveLength(3);
    expect(instances.every((i) => i.version === 'v2' && i.phase === 'ready')).toBe(true);
    // No orphan: every instance process of the data dir is a live, known instance.
    expect(server.instancePids().sort()).toEqual(instances.map((i) => i.pid).sort());

    // The router serves only ready instances: every answer comes from v2.
    const versions = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const res = await request(`http://127.0.0.1:${routePort}/`);
      expect(res.statusCode).toBe(200);
      versions.add(String(res.headers['x-version']));
      await res.body.dump();
    }
    expect([...versions]).toEqual(['v2']);

    const { events } = await server.get<{ events: EventBody[] }>(
      '/api/v1/events?kind=instance.adopted&limit=1000',
    );
    expect(events.length).toBeGreaterThan(0);
  });
});
