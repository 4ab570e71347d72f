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

  it('keeps every byte of bodies clients take late, chunked or not', async () => {
    // Upstream connections read into one buffer the router reuses: a body that waits for a slow
    // client must wait as a copy, or another connection's next read overwrites it.
    const size = 16_000_000;
    const bodyOf = (seed: number) =>
      Buffer.from(Array.from({ length: size }, (_, i) => (i * 7919 + seed) % 253));
    const bodies = [bodyOf(1), bodyOf(2)];
    const port = await routerIn((req, res) => {
      req.resume();
      const [, mode, which] = req.url?.split('/') ?? [];
      const body = bodies[Number(which)] as Buffer;
      res.writeHead(200, mode === 'chunked' ? {} : { 'content-length': String(size) });
      // Pieces of odd sizes, some in one packet and some apart.
      let at = 0;
      const more = (): void => {
        while (at < size) {
          const piece = body.subarray(at, Math.min(size, at + 1 + ((at * 31) % 70_000)));
          at += piece.length;
          if (!res.write(piece)) {
            res.once('drain', more);
            return;
          }
        }
        res.end();
      };
      more();
    });
    const clients = [await rawClient(port, cleanups), await rawClient(port, cleanups)];

    for (const mode of ['length', 'chunked']) {
      for (const [which, client] of clients.entries()) {
        client.socket.pause();
        client.socket.write(`GET /${mode}/${which} HTTP/1.1\r\nHost: web\r\n\r\n`);
      }
      await sleep(300); // the router's writes to the clients wait, its reads go on
      const ended = (b: Buffer) => {
        const start = b.indexOf('\r\n\r\n');
        if (start === -1) return false;
        return mode === 'length' ? b.length >= start + 4 + size : b.includes('\r\n0\r\n\r\n');
      };
      const received = await Promise.all(
        clients.map(async (client) => {
          client.socket.resume();
          const bytes = await client.until(ended);
          client.take(bytes.length);
          const body = bytes.subarray(bytes.indexOf('\r\n\r\n') + 4);
          return mode === 'length' ? body : dechunk(body);
        }),
      );
      for (const [which, body] of received.entries()) {
        expect(body.length).toBe(size);
        expect(body.equals(bodies[which] as Buffer)).toBe(true);
      }
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

/** The data of a chunked body (no extensions, no trailers). */
function dechunk(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', at);
    const length = parseInt(bytes.toString('latin1', at, lineEnd), 16);
    if (length === 0) return Buffer.concat(parts);
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + length));
    at = lineEnd + 2 + length + 2;
  }
}
