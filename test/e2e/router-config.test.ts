import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { deployHello } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';

describe('router settings from ferry.yaml', () => {
  let server: FerryServer | undefined;
  afterEach(async () => {
    await server?.destroy();
    server = undefined;
  });

  it('keeps the X-Forwarded-* of a peer in router.trustedProxies, as the app sees them', async () => {
    const routePort = await freePort();
    const trusting = 'router:\n  trustedProxies: [10.0.0.0/8, 127.0.0.1/32]\n';
    server = await FerryServer.create(`${helloConfig({ routePort, replicas: 1 })}${trusting}`);
    await server.start();
    await deployHello(server, { version: 'v1' });

    const response = await request(`http://127.0.0.1:${routePort}/echo`, {
      headers: { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' },
    });
    const seen = (await response.body.json()) as { headers: Record<string, string> };

    expect(response.statusCode).toBe(200);
    expect(seen.headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(seen.headers['x-forwarded-proto']).toBe('https');
  });
});
