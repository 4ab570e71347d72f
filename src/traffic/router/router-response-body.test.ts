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

  it('forwards bodies on both sides of the size that leaves with the head, byte for byte', async () => {
    // Up to 16 KiB the body is copied behind the head into one write; past it the head's buffer
    // has no room for it and a larger one is made.
    const sizes = [0, 1, 16_384, 16_385, 1_000_000];
    const bodyOf = (size: number) => Buffer.from(Array.from({ length: size }, (_, i) => i % 251));
    const port = await routerIn((req, res) => {
      req.resume();
      const body = bodyOf(Number(req.url?.slice(1)));
      res.writeHead(200, { 'content-length': String(body.length) }).end(body);
    });
    const client = await rawClient(port, cleanups);

    for (const size of sizes) {
      client.socket.write(`GET /${size} HTTP/1.1\r\nHost: web\r\n\r\n`);
      const bytes = await client.until((b) => {
        const end = b.indexOf('\r\n\r\n');
        return end !== -1 && b.length >= end + 4 + size;
      });
      const end = bytes.indexOf('\r\n\r\n') + 4;
      expect(bytes.subarray(0, end).toString('latin1')).toMatch(
        new RegExp(`^HTTP/1\\.1 200 OK\r\n[\\s\\S]*content-length: ${size}\r\n`, 'i'),
      );
      expect(bytes.length).toBe(end + size);
      expect(bytes.subarray(end).equals(bodyOf(size))).toBe(true);
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
