import { afterEach, describe, expect, it } from 'vitest';
import { deployHello, startDeploy, waitForFinal } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { helloConfig } from '../../src/demo/hello-config.js';

interface EventBody {
  kind: string;
  subject: string;
  payload: Record<string, unknown>;
}

describe('instance lifecycle', () => {
  let server: FerryServer | undefined;
  afterEach(async () => {
    await server?.destroy();
    server = undefined;
  });

  it('kills an instance that ignores SIGTERM once its drain timeout has passed', async () => {
    const routePort = await freePort();
    server = await FerryServer.create(helloConfig({ routePort, replicas: 1, drainTimeout: '1s' }));
    await server.start();
    const v1dir = helloVersion({ version: 'v1', ignoreSigterm: true });
    await waitForFinal(server, (await startDeploy(server, 'hello', 'prod', 'v1', v1dir)).id);
    const v2 = await startDeploy(server, 'hello', 'prod', 'v2', helloVersion({ version: 'v2' }));
    expect((await waitForFinal(server, v2.id)).phase).toBe('Succeeded');

    const { events } = await server.get<{ events: EventBody[] }>(
      '/api/v1/events?kind=instance.stopped&limit=1000',
    );
    const stopped = events.filter((e) => e.payload['version'] === 'v1');
    expect(stopped).toHaveLength(1);
    expect(stopped[0]!.payload['killed']).toBe(true);
    expect(server.instancePids()).toHaveLength(1);
  });

  it('restarts a crash-looping instance with growing backoff, reports it and rolls back', async () => {
    const routePort = await freePort();
    server = await FerryServer.create(helloConfig({ routePort, replicas: 1 }));
    await server.start();
    await deployHello(server, { version: 'v1' });
    const v2 = await startDeploy(
      server,
      'hello',
      'prod',
      'v2',
      helloVersion({ version: 'v2', startDelayMs: 2000, crashAfterMs: 200 }),
    );
    const final = await waitForFinal(server, v2.id, 60_000);
    expect(final.phase).toBe('RolledBack');
    expect(final.reason).toMatch(/crash-looping/);

    const { events } = await server.get<{ events: EventBody[] }>('/api/v1/events?limit=1000');
    const crashes = events.filter(
      (e) => e.kind === 'instance.crashed' && e.payload['version'] === 'v2',
    );
    const delays = crashes.map((e) => Number(e.payload['restartInMs']));
    expect(delays.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThan(delays[i - 1]!);
    expect(events.some((e) => e.kind === 'instance.crash_loop')).toBe(true);
    expect(events.some((e) => e.kind === 'deployment.rolling_back')).toBe(true);
  });
});
