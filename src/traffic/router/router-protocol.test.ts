import type { IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { Router } from './router.js';
import { createRouterMetrics, type RouterMetrics } from './router-metrics.js';
import { Readable } from 'node:stream';
import { deadUpstream, rawClient, routingTable, send, startUpstream } from './test-upstreams.js';
import type { RequestListener } from 'node:http';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/** A plain Node upstream (it ignores Upgrade) that records each request it received. */
async function recordingRouter(handler?: RequestListener) {
  const received: Received[] = [];
  const upstream = await startUpstream('plain', (req, res) => {
    received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    if (handler !== undefined) return handler(req, res);
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end('plain'));
  });
  cleanups.push(async () => {
    upstream.server.closeAllConnections();
    await upstream.close();
  });
  const metrics = createRouterMetrics(new Registry());
  const router = new Router({ metrics });
  cleanups.push(() => router.close());
  await router.apply(routingTable([upstream.upstream]));
  return {
    port: router.address('web', 'test')?.port ?? 0,
    metrics,
    received,
    server: upstream.server,
  };
}

/**
 * Writes `bytes` on a fresh connection and resolves with all it got back once the router closed
 * the connection, or once `quietMs` passed without a byte while it stayed open.
 */
function exchange(
  port: number,
  bytes: string | readonly string[],
  quietMs = 1_500,
): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let timer: NodeJS.Timeout | undefined;
    const done = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closed });
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
      const parts = typeof bytes === 'string' ? [bytes] : bytes;
      for (const part of parts) {
        socket.write(part);
        await new Promise((wake) => setTimeout(wake, 100));
      }
      arm();
    });
  });
}

function stable(metrics: RouterMetrics) {
  return metrics.snapshot('web', 'test').tracks.stable;
}

describe('Router: an Upgrade the upstream does not accept', () => {
  it('forwards the answer as a response and lets nothing through around the router', async () => {
    const { port, metrics, received } = await recordingRouter();
    const upgrade =
      'GET /chat HTTP/1.1\r\nHost: web\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n';
    const second = 'GET /second HTTP/1.1\r\nHost: web\r\nX-Forwarded-For: 203.0.113.9\r\n\r\n';

    const { text, closed } = await exchange(port, [upgrade, second]);

    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text).toMatch(/\r\nConnection: close\r\n/i);
    expect(text.endsWith('plain')).toBe(true);
    expect(closed).toBe(true);
    // The second request never reached the upstream unrouted: the connection ended first.
    expect(received.map((r) => r.url)).toEqual(['/chat']);
    expect(stable(metrics)).toMatchObject({ requests: 1, errors5xx: 0 });
  });

  it("routes a request on a new connection after it, with the router's X-Forwarded-For", async () => {
    const { port, metrics, received } = await recordingRouter();
    await exchange(
      port,
      'GET /chat HTTP/1.1\r\nHost: web\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
    );
    const { text } = await exchange(
      port,
      'GET /next HTTP/1.1\r\nHost: web\r\nX-Forwarded-For: 203.0.113.9\r\nConnection: close\r\n\r\n',
    );

    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(received[1]).toMatchObject({ url: '/next' });
    expect(received[1]?.headers['x-forwarded-for']).toBe('127.0.0.1'); // the peer is not trusted
    expect(stable(metrics)).toMatchObject({ requests: 2 });
  });
});

describe('Router: responses without a body', () => {
  const notModified: RequestListener = (req, res) => {
    req.resume();
    // As an app does that sets the length before it finds the client's copy is fresh.
    res.setHeader('content-length', '5');
    res.setHeader('etag', '"v1"');
    res.writeHead(304).end();
  };

  for (const method of ['GET', 'HEAD']) {
    it(`forwards a 304 with a Content-Length to a ${method} as status and headers`, async () => {
      const { port, received } = await recordingRouter(notModified);

      const { text } = await exchange(
        port,
        `${method} / HTTP/1.1\r\nHost: web\r\nIf-None-Match: "v1"\r\n\r\n`,
      );

      expect(received).toHaveLength(1);
      expect(text).toMatch(/^HTTP\/1\.1 304 Not Modified\r\n/);
      expect(text).toMatch(/\r\ncontent-length: 5\r\n/i);
      expect(text).toMatch(/\r\netag: "v1"\r\n/i);
      expect(text.endsWith('\r\n\r\n')).toBe(true);
    });
  }

  it('forwards a 204 with a Content-Length, and the connection serves the next request', async () => {
    const { port } = await recordingRouter((req, res) => {
      req.resume();
      if (req.url === '/empty') res.writeHead(204, { 'content-length': '7' }).end();
      else res.writeHead(200, { 'content-length': '2' }).end('ok');
    });

    const { text } = await exchange(port, [
      'DELETE /empty HTTP/1.1\r\nHost: web\r\n\r\n',
      'GET /after HTTP/1.1\r\nHost: web\r\n\r\n',
    ]);

    expect(text).toMatch(/^HTTP\/1\.1 204 No Content\r\n/);
    expect(text).toMatch(/\r\n\r\nHTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nok$/);
  });
});

describe('Router: malformed requests are the client’s fault', () => {
  const malformed: readonly [string, string, number][] = [
    ['two Host fields', 'GET / HTTP/1.1\r\nHost: web\r\nHost: other\r\n\r\n', 400],
    ['OPTIONS *', 'OPTIONS * HTTP/1.1\r\nHost: web\r\n\r\n', 400],
    ['another authority', 'GET http://evil.example/x HTTP/1.1\r\nHost: web\r\n\r\n', 400],
    [
      'a transfer coding other than chunked',
      'POST / HTTP/1.1\r\nHost: web\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n',
      501,
    ],
    ['CONNECT', 'CONNECT web:443 HTTP/1.1\r\nHost: web:443\r\n\r\n', 405],
  ];

  for (const [what, bytes, status] of malformed) {
    it(`answers ${status} to ${what}, reaching no upstream and no metrics`, async () => {
      const { port, metrics, received } = await recordingRouter();

      const { text } = await exchange(port, bytes);

      expect(text.slice(0, 12)).toBe(`HTTP/1.1 ${status}`);
      expect(received).toEqual([]);
      expect(stable(metrics)).toBeUndefined();
    });
  }

  it('forwards an absolute-form target that agrees with Host in origin form', async () => {
    const { port, received } = await recordingRouter();

    const { text } = await exchange(port, 'GET http://web/a?b=1 HTTP/1.1\r\nHost: web\r\n\r\n');

    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(received).toMatchObject([{ url: '/a?b=1', headers: { host: 'web' } }]);
  });

  it('counts none of 1,000 malformed requests against a version', async () => {
    const { port, metrics, received } = await recordingRouter();
    const kinds = [
      ...malformed.map(([, bytes]) => bytes),
      'GET http://evil.example/x HTTP/1.1\r\nHost: web\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: web\r\nHost: web\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
      `GET / HTTP/1.1\r\nHost: web\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, // 431 by Node
      'GET / HTTP/1.1\r\nHost: web\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
      'GET /\u0001 HTTP/1.1\r\nHost: web\r\n\r\n',
      'GARBAGE\r\n\r\n',
    ];
    const statuses = new Set<string>();
    for (let sent = 0; sent < 1_000; sent += 20) {
      const batch = Array.from({ length: 20 }, (_, i) =>
        exchange(port, kinds[(sent + i) % kinds.length] as string, 3_000),
      );
      for (const { text } of await Promise.all(batch)) statuses.add(text.slice(9, 12));
    }

    expect([...statuses].sort()).toEqual(['400', '405', '431', '501']);
    expect(received).toEqual([]);
    // One well-formed request, so the version's counters exist and are read.
    await exchange(port, 'GET /ok HTTP/1.1\r\nHost: web\r\nConnection: close\r\n\r\n');
    const tracks = metrics.snapshot('web', 'test').tracks;
    expect(Object.keys(tracks)).toEqual(['stable']);
    expect(tracks.stable).toMatchObject({ version: '1.0.0', requests: 1, errors5xx: 0 });
  }, 120_000);
});

describe('Router: client timeouts', () => {
  async function routerWith(timeouts: { headersMs: number; idleMs: number }) {
    const upstream = await startUpstream('plain');
    cleanups.push(() => upstream.close());
    const router = new Router({ timeouts });
    cleanups.push(() => router.close());
    await router.apply(routingTable([upstream.upstream]));
    return router.address('web', 'test')?.port ?? 0;
  }

  it('answers 408 to a client that does not finish its request head in time', async () => {
    const port = await routerWith({ headersMs: 500, idleMs: 60_000 });
    const started = performance.now();

    // Node's own default would wait 60 s; the exchange gives up after 20 s of silence.
    const { text, closed } = await exchange(port, 'GET / HTTP/1.1\r\nHost: web\r\n', 20_000);

    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(closed).toBe(true);
    expect(performance.now() - started).toBeLessThan(15_000);
  }, 30_000);

  it('keeps an idle keep-alive connection open for the configured time, past Node’s 5 s', async () => {
    const port = await routerWith({ headersMs: 10_000, idleMs: 60_000 });

    const { text, closed } = await exchange(port, 'GET / HTTP/1.1\r\nHost: web\r\n\r\n', 7_000);

    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text).toMatch(/\r\nKeep-Alive: timeout=60\r\n/);
    expect(closed).toBe(false);
  }, 30_000);
});

describe('Router: informational responses and trailers', () => {
  it('forwards 103 Early Hints before the response', async () => {
    const { port } = await recordingRouter((req, res) => {
      req.resume();
      res.writeEarlyHints({ link: '</app.css>; rel=preload; as=style' });
      setTimeout(() => res.writeHead(200, { 'content-length': '2' }).end('ok'), 50);
    });

    const { text } = await exchange(
      port,
      'GET / HTTP/1.1\r\nHost: web\r\nConnection: close\r\n\r\n',
    );

    expect(text).toMatch(
      /^HTTP\/1\.1 103 Early Hints\r\nlink: <\/app\.css>; rel=preload; as=style\r\n\r\nHTTP\/1\.1 200 OK\r\n/i,
    );
    expect(text.endsWith('\r\n\r\nok')).toBe(true);
  });

  it('forwards response trailers after a chunked body', async () => {
    const { port } = await recordingRouter((req, res) => {
      req.resume();
      res.writeHead(200, { trailer: 'x-checksum' });
      res.write('data');
      res.addTrailers({ 'x-checksum': 'sha256=abc' });
      res.end();
    });

    const { text } = await exchange(
      port,
      'GET / HTTP/1.1\r\nHost: web\r\nConnection: close\r\n\r\n',
    );

    expect(text).toMatch(/\r\ntransfer-encoding: chunked\r\n/i);
    expect(text).toMatch(/\r\n4\r\ndata\r\n0\r\nx-checksum: sha256=abc\r\n\r\n$/i);
  });
});

describe('Router: Expect: 100-continue and request trailers', () => {
  const upload = (length: number) =>
    `PUT /files/a HTTP/1.1\r\nHost: web\r\nContent-Length: ${length}\r\n` +
    'Expect: 100-continue\r\n\r\n';

  it('passes the expectation on, and the client gets the upstream’s own 100', async () => {
    const events: string[] = [];
    let decide!: () => void;
    const decided = new Promise<void>((resolve) => (decide = resolve));
    const { port, metrics, server } = await recordingRouter();
    server.on('checkContinue', (req, res) => {
      events.push(`upstream asked (expect: ${String(req.headers.expect)})`);
      void decided.then(() => {
        events.push('upstream continues');
        res.writeContinue();
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => {
          events.push(`upstream got ${body}`);
          res.writeHead(201, { 'content-length': '6' }).end('stored');
        });
      });
    });
    const client = await rawClient(port, cleanups);

    client.socket.write(upload(5));
    await expect.poll(() => events.length).toBe(1);
    expect(client.received().length).toBe(0);
    decide();
    const head = (await client.until((b) => b.includes('\r\n\r\n'))).toString('latin1');
    events.push('client got 100');
    expect(head).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    client.take(head.length);
    client.socket.write('hello');
    const response = (await client.until((b) => b.includes('stored'))).toString('latin1');

    expect(response).toMatch(/^HTTP\/1\.1 201 Created\r\n/);
    expect(events).toEqual([
      'upstream asked (expect: 100-continue)',
      'upstream continues',
      'client got 100',
      'upstream got hello',
    ]);
    expect(stable(metrics)).toMatchObject({ requests: 1, errors5xx: 0 });
  });

  it('forwards a final answer given before the body and closes, the body never sent', async () => {
    let bodyBytes = 0;
    const { port, metrics, received, server } = await recordingRouter();
    server.on('checkContinue', (req, res) => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      req.on('data', (chunk: Buffer) => (bodyBytes += chunk.length));
      res.writeHead(413, { 'content-length': '8' }).end('too big\n');
    });
    const client = await rawClient(port, cleanups);

    client.socket.write(upload(10_000_000));
    await client.ended;
    const response = client.received().toString('latin1');

    expect(response).toMatch(/^HTTP\/1\.1 413 Payload Too Large\r\n/);
    expect(response).toMatch(/\r\nConnection: close\r\n/i);
    expect(response).not.toContain('100 Continue');
    expect(response.endsWith('too big\n')).toBe(true);
    expect(received).toHaveLength(1);
    expect(received[0]?.headers).toMatchObject({
      expect: '100-continue',
      'content-length': '10000000',
      'x-forwarded-for': '127.0.0.1',
    });
    expect(bodyBytes).toBe(0);
    expect(stable(metrics)).toMatchObject({ requests: 1, errors5xx: 0 });
  });

  it('keeps upload connections alive, but never one whose body was not sent', async () => {
    const { port, server } = await recordingRouter((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-length': '2' }).end('ok'));
    });
    server.on('checkContinue', (_req, res) => res.writeHead(413).end());
    let connections = 0;
    server.on('connection', () => connections++);
    const chunked = () => send(port, { method: 'POST', body: Readable.from(['a', 'b']) });

    expect((await chunked()).status).toBe(200);
    expect((await chunked()).status).toBe(200);
    expect(connections).toBe(1);
    const refused = await exchange(port, upload(10));
    expect(refused.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(connections).toBe(1);
    expect((await chunked()).status).toBe(200);

    expect(connections).toBe(2);
  });

  it('answers 504 when the upstream never says whether the body may come', async () => {
    const silent = await startUpstream('silent');
    silent.server.on('checkContinue', () => undefined);
    cleanups.push(async () => {
      silent.server.closeAllConnections();
      await silent.close();
    });
    const metrics = createRouterMetrics(new Registry());
    const router = new Router({ metrics, responseTimeoutMs: 300 });
    cleanups.push(() => router.close());
    await router.apply(routingTable([silent.upstream]));
    const client = await rawClient(router.address('web', 'test')?.port ?? 0, cleanups);

    client.socket.write(upload(10));
    await client.ended;
    const response = client.received().toString('latin1');

    expect(response).toMatch(/^HTTP\/1\.1 504 Gateway Timeout\r\n/);
    expect(response).toMatch(/\r\nConnection: close\r\n/i);
    expect(response).toContain('"code":"upstream_timeout"');
    expect(stable(metrics)).toMatchObject({ requests: 1, errors5xx: 1 });
  });

  it('retries an upload refused a connection on another upstream before any byte of it', async () => {
    const bodies: string[] = [];
    const live = await startUpstream('live', (req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        bodies.push(body);
        res.writeHead(200, { 'content-length': '2' }).end('ok');
      });
    });
    cleanups.push(() => live.close());
    const router = new Router();
    cleanups.push(() => router.close());
    await router.apply(routingTable([await deadUpstream('dead'), live.upstream]));
    const port = router.address('web', 'test')?.port ?? 0;

    const responses = await Promise.all(
      ['one', 'two', 'three', 'four'].map((body) =>
        send(port, { method: 'POST', body: Readable.from([body]) }),
      ),
    );

    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(bodies.sort()).toEqual(['four', 'one', 'three', 'two']);
  });

  it('forwards the trailer fields of a chunked body, hop-by-hop and routing ones dropped', async () => {
    const uploads: { body: string; trailers: NodeJS.Dict<string> }[] = [];
    const { port, metrics, received } = await recordingRouter((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        uploads.push({ body, trailers: req.trailers });
        res.writeHead(200, { 'content-length': '2' }).end('ok');
      });
    });

    const { text } = await exchange(
      port,
      'POST /sums HTTP/1.1\r\nHost: web\r\nTransfer-Encoding: chunked\r\n' +
        'Trailer: X-Checksum\r\nConnection: close\r\n\r\n' +
        '5\r\nhello\r\n6\r\n world\r\n0\r\n' +
        'X-Checksum: sha256=abc\r\nX-Forwarded-For: 203.0.113.66\r\nHost: evil\r\n' +
        'Keep-Alive: timeout=1\r\n\r\n',
    );

    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(uploads).toEqual([{ body: 'hello world', trailers: { 'x-checksum': 'sha256=abc' } }]);
    expect(received[0]?.headers).toMatchObject({
      'transfer-encoding': 'chunked',
      'x-forwarded-for': '127.0.0.1',
    });
    expect(stable(metrics)).toMatchObject({ requests: 1, errors5xx: 0 });
  });
});
