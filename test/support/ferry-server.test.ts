import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { FerryServer } from './ferry-server.js';

let server: FerryServer | undefined;
let squatter: Server | undefined;
afterEach(async () => {
  await server?.destroy();
  await new Promise((resolve) => (squatter ? squatter.close(resolve) : resolve(undefined)));
  server = squatter = undefined;
});

describe('FerryServer (test support)', () => {
  it('takes another port when its chosen one is taken before the first start', async () => {
    server = await FerryServer.create(helloConfig({ routePort: await freePort(), replicas: 1 }));
    const chosen = server.port;
    // It accepts and hangs up at once, as a busy port of another program might.
    squatter = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => squatter!.listen(chosen, '127.0.0.1', resolve));
    await server.start();
    expect(server.port).not.toBe(chosen);
    const ready = await request(`${server.url}/readyz`);
    await ready.body.dump();
    expect(ready.statusCode).toBe(200);
  });
});
