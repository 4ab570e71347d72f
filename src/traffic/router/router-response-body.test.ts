import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { RequestListener } from 'node:http';
import { Router } from './router.js';
import { rawClient, routingTable, startUpstream } from './test-upstreams.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function routerIn(front: RequestListener): Promise<number> {
  const upstream = await startUpstream('plain', front);
  cleanups.push(async () => {
    upstream.server.closeAllConnections();
    await upstream.close();
  });
  const router = new Router();
  cleanups.push(() => router.close());
  await router.apply(routingTable([upstream.upstream]));
  return router.address('web', 'test')?.port ?? 0;
}

const get = 'GET / HTTP/1.1\r\nHost: web\r\n\r\n';

describe('Router: response bodies of a known length', () => {
  it('forwards a Content-Length body sent in pieces whole, and keeps the connection', async () => {
    const port = await routerIn((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-length': '10' });
      res.write('hello');
      // A separate packet: the router gets the body in two reads.
      void sleep(30).then(() => res.end('world'));
    });
    const client = await rawClient(port, cleanups);

    for (let round = 0; round < 2; round++) {
      client.socket.write(get);
      const bytes = await client.until((b) => b.toString('latin1').endsWith('helloworld'));
      const text = bytes.toString('latin1');
      expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(text).toMatch(/\r\ncontent-length: 10\r\n/i);
      expect(text).not.toMatch(/transfer-encoding/i);
      expect(text.slice(text.indexOf('\r\n\r\n') + 4)).toBe('helloworld');
      client.take(bytes.length);
    }
  });

  it('cuts the client connection when the upstream stops before the announced length', async () => {
    const port = await routerIn((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-length': '10' });
      res.write('hello');
      void sleep(30).then(() => res.socket?.destroy());
    });
    const client = await rawClient(port, cleanups);

    client.socket.write(get);
    await client.ended;

    const text = client.received().toString('latin1');
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text.slice(text.indexOf('\r\n\r\n') + 4)).toBe('hello');
  });
});
