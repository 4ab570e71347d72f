import { once } from 'node:events';
import type { RequestListener } from 'node:http';
import { connect, createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { RoutingTable } from '../../features/routing/traffic-router.js';
import { Router } from './router.js';
import { routingTable, startUpstream } from './test-upstreams.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * Two routers in front of the same upstream: one with the fast path, one answering every request
 * with node:http's server as before. What a client sees must not tell them apart.
 */
async function twoRouters(
  handler?: RequestListener,
  timeouts?: { headersMs: number; idleMs: number },
) {
  const received: string[] = [];
  const upstream = await startUpstream('plain', (req, res) => {
    received.push(`${req.method} ${req.url}`);
    if (handler !== undefined) return handler(req, res);
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end('plain'));
  });
  cleanups.push(async () => {
    upstream.server.closeAllConnections();
    await upstream.close();
  });
  const ports: number[] = [];
  for (const requestFastPath of [true, false]) {
    const router = new Router({ requestFastPath, timeouts });
    cleanups.push(() => router.close());
    await router.apply(routingTable([upstream.upstream]));
    ports.push(router.address('web', 'test')?.port ?? 0);
  }
  return { fast: ports[0] as number, node: ports[1] as number, received };
}

/**
 * Writes `parts` on a fresh connection, 20 ms apart, and resolves with everything read once the
 * router closed the connection or `quietMs` passed in silence. `Date` values are blanked.
 */
function exchange(
  port: number,
  parts: readonly string[],
  quietMs = 400,
  halfClose = false,
): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let timer: NodeJS.Timeout | undefined;
    const done = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text: text.replace(/\r\nDate: [^\r]*/g, '\r\nDate: -'), closed });
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => done(false), quietMs);
    };
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      arm();
    });
    socket.once('close', () => done(true));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNRESET' ? done(true) : reject(error),
    );
    socket.once('connect', async () => {
      for (const part of parts) {
        socket.write(part, 'latin1');
        await new Promise((wake) => setTimeout(wake, 20));
      }
      if (halfClose) socket.end();
      arm();
    });
  });
}

/** `bytes` whole, then cut in two at a few places, then one byte at a time. */
function splits(bytes: string): string[][] {
  const cuts = [1, 4, Math.floor(bytes.length / 2), bytes.length - 2, bytes.length - 1];
  return [
    [bytes],
    ...cuts
      .filter((cut) => cut > 0 && cut < bytes.length)
      .map((cut) => [bytes.slice(0, cut), bytes.slice(cut)]),
    bytes.length <= 80 ? [...bytes] : [bytes],
  ];
}

describe('Router fast path: malformed and unusual requests', () => {
  // The status node:http's server gave before, for each; the connection is closed after.
  const refused: readonly [string, string, number][] = [
    [
      'Content-Length and Transfer-Encoding',
      'POST / HTTP/1.1\r\nHost: web\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      400,
    ],
    [
      'two different Content-Lengths',
      'GET / HTTP/1.1\r\nHost: web\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
      400,
    ],
    ['obs-fold', 'GET / HTTP/1.1\r\nHost: web\r\nX-A: 1\r\n 2\r\n\r\n', 400],
    [
      'a bad chunk size',
      'POST / HTTP/1.1\r\nHost: web\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n',
      400,
    ],
    ['a space before the colon', 'GET / HTTP/1.1\r\nHost : web\r\n\r\n', 400],
    ['no Host', 'GET / HTTP/1.1\r\nX: y\r\n\r\n', 400],
    ['two Host fields', 'GET / HTTP/1.1\r\nHost: web\r\nHost: other\r\n\r\n', 400],
    ['a NUL in a field', 'GET / HTTP/1.1\r\nHost: web\r\nX: a\u0000b\r\n\r\n', 400],
    ['a control byte in the target', 'GET /\u0001 HTTP/1.1\r\nHost: web\r\n\r\n', 400],
    ['garbage', 'GARBAGE\r\n\r\n', 400],
    // node:http (llhttp) knows no 505: an unknown minor version is a 400.
    ['an unknown version', 'GET / HTTP/1.2\r\nHost: web\r\n\r\n', 400],
    [
      'a transfer coding other than chunked',
      'POST / HTTP/1.1\r\nHost: web\r\nTransfer-Encoding: gzip\r\n\r\n',
      501,
    ],
    ['a head over 16 KiB', `GET / HTTP/1.1\r\nHost: web\r\nX: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
  ];

  for (const [what, bytes, status] of refused) {
    it(`answers ${status} to ${what} as node:http did, and closes, however it is split`, async () => {
      const { fast, node, received } = await twoRouters();
      for (const parts of splits(bytes)) {
        const before = await exchange(node, parts);
        const after = await exchange(fast, parts);

        expect(after.text.slice(0, 12)).toBe(`HTTP/1.1 ${status}`);
        expect(after).toEqual(before);
        expect(after.closed).toBe(true);
      }
      expect(received).toEqual([]);
    }, 60_000);
  }

  it('serves plain requests, then hands an upload after them to node:http in order', async () => {
    const { fast, node, received } = await twoRouters((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => res.writeHead(200, { 'content-length': body.length }).end(body));
    });
    const stream =
      'GET /1 HTTP/1.1\r\nHost: web\r\n\r\n' +
      'HEAD /2 HTTP/1.1\r\nHost: web\r\n\r\n' +
      'POST /3 HTTP/1.1\r\nHost: web\r\nContent-Length: 5\r\n\r\nGET /' +
      'GET /4 HTTP/1.1\r\nHost: web\r\nConnection: close\r\n\r\n';

    for (const parts of [[stream], splits(stream)[2] as string[]]) {
      const before = await exchange(node, parts);
      const after = await exchange(fast, parts);

      expect(after).toEqual(before);
      expect(after.closed).toBe(true);
      expect(after.text.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(4);
      expect(after.text).toContain('\r\n\r\nGET /HTTP/1.1 200 OK');
    }
    expect(received).toEqual(Array(4).fill(['GET /1', 'HEAD /2', 'POST /3', 'GET /4']).flat());
  }, 60_000);
});

describe('Router fast path: responses', () => {
  const responses: readonly [string, RequestListener][] = [
    ['a body with a length', (_req, res) => res.writeHead(200, { 'content-length': 2 }).end('ok')],
    [
      'a chunked body in pieces',
      (_req, res) => {
        res.writeHead(201, 'Made', { 'x-a': 'b' });
        res.write('one');
        setTimeout(() => res.end('two'), 20);
      },
    ],
    [
      'trailers',
      (req, res) => {
        // node:http refuses a Trailer field on an answer to HEAD.
        if (req.method === 'HEAD') return void res.writeHead(200).end();
        res.writeHead(200, { trailer: 'x-sum' });
        res.write('data');
        res.addTrailers({ 'x-sum': 'abc' });
        res.end();
      },
    ],
    ['a 204', (_req, res) => res.writeHead(204, { 'content-length': 7 }).end()],
    ['a 304', (_req, res) => res.writeHead(304, { etag: '"v1"' }).end()],
    [
      'repeated fields and its own Date',
      (_req, res) =>
        res
          .writeHead(200, [
            'Set-Cookie',
            'a=1',
            'set-cookie',
            'b=2',
            'Date',
            'Tue, 01 Dec 2026 00:00:00 GMT',
          ])
          .end(),
    ],
    [
      'Connection fields of its own',
      (_req, res) =>
        res
          .writeHead(200, { connection: 'close, x-hop', 'x-hop': '1', 'keep-alive': 'x' })
          .end('k'),
    ],
    [
      '103 Early Hints',
      (_req, res) => {
        res.writeEarlyHints({ link: '</a.css>; rel=preload; as=style' });
        setTimeout(() => res.writeHead(200, { 'content-length': 2 }).end('ok'), 20);
      },
    ],
    ['a large body', (_req, res) => res.end(Buffer.alloc(300_000, 'x'))],
  ];

  for (const [what, handler] of responses) {
    it(`writes the bytes node:http wrote for ${what}, to GET and HEAD, kept alive`, async () => {
      const { fast, node } = await twoRouters((req, res) => {
        req.resume();
        handler(req, res);
      });
      for (const method of ['GET', 'HEAD']) {
        const parts = [`${method} / HTTP/1.1\r\nHost: web\r\n\r\n`];
        const before = await exchange(node, parts);
        const after = await exchange(fast, parts);

        expect(after).toEqual(before);
        expect(after.closed).toBe(false);
      }
    }, 30_000);
  }

  it('answers a request pipelined behind another in order, on the same connection', async () => {
    const { fast, node, received } = await twoRouters((req, res) => {
      const delay = req.url === '/slow' ? 100 : 0;
      setTimeout(
        () => res.writeHead(200, { 'content-length': 4 }).end(req.url?.slice(0, 4)),
        delay,
      );
    });
    const parts = [
      'GET /slow HTTP/1.1\r\nHost: web\r\n\r\nGET /fast HTTP/1.1\r\nHost: web\r\n\r\n',
    ];

    const before = await exchange(node, parts);
    const after = await exchange(fast, parts);

    expect(after).toEqual(before);
    expect(after.text).toMatch(/\/slo[\s\S]*\/fas$/);
    expect(received).toEqual(['GET /slow', 'GET /fast', 'GET /slow', 'GET /fast']);
  });
});

describe('Router fast path: response heads copied from the upstream', () => {
  /**
   * Two routers in front of a raw TCP upstream that answers every request with `head` and a
   * two-byte body: the fast path copies runs of the upstream's field lines where they are
   * already written as node:http writes them, so the unusual spellings are what can tell the
   * two apart.
   */
  async function rawRouters(head: string, sticky?: RoutingTable['sticky']) {
    const upstream = createServer((socket) => {
      let seen = '';
      socket.on('data', (chunk: Buffer) => {
        seen += chunk.toString('latin1');
        let end: number;
        while ((end = seen.indexOf('\r\n\r\n')) !== -1) {
          const isHead = seen.startsWith('HEAD');
          seen = seen.slice(end + 4);
          socket.write(`${head}\r\n\r\n${isHead ? '' : 'ok'}`, 'latin1');
        }
      });
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    cleanups.push(async () => {
      upstream.close();
    });
    const port = (upstream.address() as { port: number }).port;
    const ports: number[] = [];
    for (const requestFastPath of [true, false]) {
      const router = new Router({ requestFastPath });
      cleanups.push(() => router.close());
      const table = routingTable([{ id: 'raw-1', host: '127.0.0.1', port, version: 'v1' }]);
      await router.apply(sticky === undefined ? table : { ...table, sticky });
      ports.push(router.address('web', 'test')?.port ?? 0);
    }
    return { fast: ports[0] as number, node: ports[1] as number };
  }

  const heads: readonly [string, string][] = [
    [
      'fields spelled every way, hop-by-hop ones between them',
      [
        'HTTP/1.1 200 Fine',
        'x-a:tight',
        'x-b:   spaced   ',
        'Keep-Alive: timeout=5',
        'x-c: canonical',
        'x-d: also canonical',
        'x-e:\t tab',
        'x-f: ',
        'x-g:',
        'Connection: keep-alive',
        'Content-Length: 2',
        'x-h: last',
      ].join('\r\n'),
    ],
    ['nothing but the length', 'HTTP/1.1 200 OK\r\ncontent-length: 2'],
    [
      'an empty reason phrase',
      'HTTP/1.1 200 \r\nDate: Tue, 01 Dec 2026 00:00:00 GMT\r\nContent-Length: 2',
    ],
    [
      'Connection: close from the upstream',
      'HTTP/1.1 200 OK\r\nConnection: close\r\nx-a: 1\r\nContent-Length: 2',
    ],
    [
      'a Connection field naming another',
      'HTTP/1.1 200 OK\r\nConnection: x-hop\r\nx-hop: 1\r\nx-a: 2\r\nContent-Length: 2',
    ],
  ];

  for (const [what, head] of heads) {
    it(`writes the bytes node:http wrote for ${what}, to GET and HEAD`, async () => {
      const { fast, node } = await rawRouters(head);
      for (const method of ['GET', 'HEAD']) {
        const parts = [`${method} / HTTP/1.1\r\nHost: web\r\n\r\n`];
        const before = await exchange(node, parts);
        const after = await exchange(fast, parts);

        expect(after).toEqual(before);
      }
    }, 30_000);
  }

  it('adds the pin cookie of a sticky table after the copied fields, as node:http did', async () => {
    const { fast, node } = await rawRouters('HTTP/1.1 200 OK\r\nx-a: 1\r\nContent-Length: 2', {
      cookie: 'ferry-version',
    });
    const parts = ['GET / HTTP/1.1\r\nHost: web\r\n\r\n'];
    const before = await exchange(node, parts);
    const after = await exchange(fast, parts);

    expect(after).toEqual(before);
    expect(after.text).toContain('\r\nx-a: 1\r\nContent-Length: 2\r\nset-cookie: ferry-version=');
  }, 30_000);
});

describe('Router fast path: a client that half-closes', () => {
  it('ends the connection as node:http did when the client ends its side after a request', async () => {
    const { fast, node } = await twoRouters((req, res) => {
      req.resume();
      setTimeout(() => res.end('late'), 100);
    });
    const parts = ['GET / HTTP/1.1\r\nHost: web\r\n\r\n'];

    const before = await exchange(node, parts, 1_000, true);
    const after = await exchange(fast, parts, 1_000, true);

    expect(after).toEqual(before);
    expect(after.closed).toBe(true);
  });
});

describe('Router fast path: client timeouts', () => {
  it('answers 408 to a fresh connection silent past the headers timeout, as node:http did', async () => {
    const { fast, node } = await twoRouters(undefined, { headersMs: 300, idleMs: 60_000 });

    const before = await exchange(node, [], 3_000);
    const after = await exchange(fast, [], 3_000);

    expect(after).toEqual(before);
    expect(after).toEqual({
      text: 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n',
      closed: true,
    });
  }, 30_000);

  it('counts the idle timeout from the last response: a connection used more often stays open', async () => {
    // The first deadline (headers, 400 ms) and each idle one (600 ms) pass long before the
    // connection's last request: every one moved when a request came.
    const { fast } = await twoRouters(undefined, { headersMs: 400, idleMs: 600 });
    const parts = Array.from({ length: 8 }, () => 'GET / HTTP/1.1\r\nHost: web\r\n\r\n');
    const spaced = (async () => {
      const socket = connect(fast, '127.0.0.1');
      await once(socket, 'connect');
      let text = '';
      let closedAt = -1;
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      socket.once('close', () => (closedAt = text.split('HTTP/1.1 200').length - 1));
      for (const part of parts) {
        socket.write(part, 'latin1');
        await new Promise((wake) => setTimeout(wake, 250));
      }
      const answered = text.split('HTTP/1.1 200').length - 1;
      socket.destroy();
      return { answered, closedAt };
    })();
    expect(await spaced).toEqual({ answered: 8, closedAt: -1 });
  }, 30_000);

  it('closes a keep-alive connection idle past the idle timeout, without a word', async () => {
    const { fast, node } = await twoRouters(undefined, { headersMs: 10_000, idleMs: 1_000 });
    const parts = ['GET / HTTP/1.1\r\nHost: web\r\n\r\n'];

    const before = await exchange(node, parts, 4_000);
    const after = await exchange(fast, parts, 4_000);

    expect(after).toEqual(before);
    expect(after.closed).toBe(true);
    expect(after.text).toMatch(/\r\nKeep-Alive: timeout=1\r\n[\s\S]*\r\nplain\r\n0\r\n\r\n$/);
  }, 30_000);
});

describe('Router fast path: a pipelined flood', () => {
  it('stops reading while requests wait, so the client, not the router, holds the backlog', async () => {
    // Each request carries 4 KiB of header; 40 MiB of them are written at once, far more than
    // the kernel's socket buffers take. The upstream answers each after 1 ms.
    const { fast } = await twoRouters((req, res) => {
      setTimeout(() => res.writeHead(200, { 'content-length': 2 }).end('ok'), 1);
    });
    const request = `GET / HTTP/1.1\r\nHost: web\r\nX-Pad: ${'x'.repeat(4096)}\r\n\r\n`;
    const count = 10_000;
    const socket = connect(fast, '127.0.0.1');
    cleanups.push(async () => void socket.destroy());
    await once(socket, 'connect');
    let answered = 0;
    socket.on('data', (chunk: Buffer) => {
      answered += chunk.toString('latin1').split('HTTP/1.1 200').length - 1;
    });
    // Written 64 requests at a time: what the kernel accepted is known chunk by chunk.
    const chunk = request.repeat(64);
    let taken = 0;
    void (async () => {
      for (let i = 0; i < count / 64 && !socket.destroyed; i++) {
        if (!socket.write(chunk, () => (taken += chunk.length))) await once(socket, 'drain');
      }
    })();
    while (answered < 1000) await new Promise((resolve) => setTimeout(resolve, 20));

    // What the client handed over went into the kernel (a few MiB at most) or the router. A
    // router that kept reading while it answered would take about 64 KiB per response.
    const answeredBytes = answered * request.length;
    expect(taken - answeredBytes).toBeLessThan(16 * 1024 * 1024);
  }, 30_000);
});
