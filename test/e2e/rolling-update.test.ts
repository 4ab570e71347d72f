import { afterEach, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDeploy, waitForFinal } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { ConstantLoad } from '../../src/demo/constant-load.js';

interface InstanceBody {
  id: string;
  version: string;
  pid: number;
  phase: string;
  intent: string;
}

describe('rolling deploys on the local runtime', () => {
  let server: FerryServer | undefined;
  afterEach(async () => {
    await server?.destroy();
    server = undefined;
  });

  it('rolls 3 replicas to a new version under 250 requests/s without a failed request', async () => {
    const routePort = await freePort();
    server = await FerryServer.create(helloConfig({ routePort, replicas: 3 }));
    await server.start();
    const v1 = await startDeploy(server, 'hello', 'prod', 'v1', helloVersion({ version: 'v1' }));
    expect((await waitForFinal(server, v1.id)).phase).toBe('Succeeded');

    const load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 250).start();
    await sleep(1000);
    const v2 = await startDeploy(server, 'hello', 'prod', 'v2', helloVersion({ version: 'v2' }));
    expect((await waitForFinal(server, v2.id)).phase).toBe('Succeeded');
    await sleep(1000);
    const result = await load.stop();

    expect(result.errors).toEqual([]);
    expect(result.non2xx).toBe(0);
    expect(result.rate).toBeGreaterThanOrEqual(200);
    expect(result.versions['v1']).toBeGreaterThan(0);
    expect(result.versions['v2']).toBeGreaterThan(0);

    const { instances } = await server.get<{ instances: InstanceBody[] }>(
      '/api/v1/instances?service=hello&environment=prod',
    );
    expect(instances.map((i) => i.version)).toEqual(['v2', 'v2', 'v2']);
    // No process of v1 is left: the only instance processes are the three v2 ones.
    expect(server.instancePids().sort()).toEqual(instances.map((i) => i.pid).sort());

    const history = await server.get<{ deployments: { version: string; phase: string }[] }>(
      '/api/v1/deployments?service=hello&environment=prod',
    );
    expect(history.deployments.map((d) => [d.version, d.phase])).toEqual([
      ['v2', 'Succeeded'],
      ['v1', 'Succeeded'],
    ]);
  });

  it('rolls back a version that never becomes ready at its progress deadline, with no failed request', async () => {
    const routePort = await freePort();
    server = await FerryServer.create(
      helloConfig({ routePort, replicas: 2, progressDeadline: '3s' }),
    );
    await server.start();
    const v1 = await startDeploy(server, 'hello', 'prod', 'v1', helloVersion({ version: 'v1' }));
    await waitForFinal(server, v1.id);

    const load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 250).start();
    const v2 = await startDeploy(
      server,
      'hello',
      'prod',
      'v2',
      helloVersion({ version: 'v2', neverReady: true }),
    );
    const final = await waitForFinal(server, v2.id);
    await sleep(500);
    const result = await load.stop();

    expect(final.phase).toBe('RolledBack');
    expect(final.reason).toMatch(/progress deadline/);
    expect(result.errors).toEqual([]);
    expect(result.non2xx).toBe(0);
    expect(Object.keys(result.versions)).toEqual(['v1']);
    const { instances } = await server.get<{ instances: InstanceBody[] }>('/api/v1/instances');
    expect(instances.map((i) => i.version)).toEqual(['v1', 'v1']);
    expect(server.instancePids().sort()).toEqual(instances.map((i) => i.pid).sort());
  });
});
