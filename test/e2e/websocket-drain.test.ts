import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { deployHello, startDeploy, waitForFinal } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { rawClient } from '../../src/traffic/router/test-upstreams.js';

interface EventBody {
  kind: string;
  payload: Record<string, unknown>;
}

describe('WebSockets during a deploy', () => {
  let server: FerryServer | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
    await server?.destroy();
    server = undefined;
  });

  it('closes an idle WebSocket after drain.websockets, not the whole drainTimeout', async () => {
    const routePort = await freePort();
    server = await FerryServer.create(
      helloConfig({
        routePort,
        replicas: 1,
        drainTimeout: '10m',
        service: '    drain: { websockets: 1s }\n',
      }),
    );
    await server.start();
    await deployHello(server, { version: 'v1' });
    const client = await rawClient(routePort, cleanups);
    client.socket.write(
      'GET /ws HTTP/1.1\r\nHost: hello\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`,
    );
    const head = await client.until((bytes) => bytes.includes('\r\n\r\n'));
    expect(head.toString('latin1')).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    let closed = false;
    void client.ended.then(() => (closed = true));

    const v2 = await startDeploy(server, 'hello', 'prod', 'v2', helloVersion({ version: 'v2' }));
    const final = await waitForFinal(server, v2.id, 60_000);

    // The ten-minute drain would have held the deploy far past this test's timeout.
    expect(final.phase).toBe('Succeeded');
    expect(closed).toBe(true);
    const { events } = await server.get<{ events: EventBody[] }>(
      '/api/v1/events?kind=instance.stopped&limit=1000',
    );
    // v1 stopped on SIGTERM once its tunnel was closed, not killed at the end of a drain.
    expect(events.filter((e) => e.payload['version'] === 'v1')).toMatchObject([
      { payload: { killed: false } },
    ]);
  }, 90_000);
});
