import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamClient, type UpstreamRequest } from './upstream-client.js';

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** One request as the upstream received it: its head, and its body once complete. */
interface Received {
  readonly head: string;
  readonly body: string;
  readonly socket: Socket;
  /** Index of the connection it came on, from 0. */
  readonly connection: number;
}

/**
 * A raw TCP upstream: `answer` writes whatever bytes it likes for each request it reads (a head
 * and a Content-Length body). Records requests, connections and closed connections.
 */
async function rawUpstream(answer: (request: Received) => void) {
  const requests: Received[] = [];
  const sockets: Socket[] = [];
  let closed = 0;
  const server: Server = createServer((socket) => {
    const connection = sockets.push(socket) - 1;
    socket.on('close', () => closed++);
    socket.on('error', () => undefined);
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = buffered.slice(0, end);
        const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        const body = buffered.slice(end + 4, end + 4 + length);
        buffered = buffered.slice(end + 4 + length);
        const request = { head, body, socket, connection };
        requests.push(request);
        answer(request);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return {
    port,
    requests,
    connections: () => sockets.length,
    closed: () => closed,
  };
}

function clientFor(
  port: number,
  options: { idleTimeoutMs?: number; maxConnections?: number } = {},
) {
  const client = new UpstreamClient('127.0.0.1', port, {
    idleTimeoutMs: options.idleTimeoutMs ?? 10_000,
    maxConnections: options.maxConnections,
  });
  cleanups.push(() => client.destroy());
  return client;
}

/** Everything a handler was told about one request. */
interface Outcome {
  connected: boolean;
  heads: { status: number; headers: string[] }[];
  body: string;
  trailers: string[] | null;
  error: (Error & { code?: string }) | undefined;
}

interface Call {
  readonly outcome: Outcome;
  readonly done: Promise<Outcome>;
  abort(error?: Error): void;
  resume(): void;
}

/** Dispatches a request; `pauseOnData` makes the first `onData` return false. */
function call(
  client: UpstreamClient,
  request: Partial<UpstreamRequest> = {},
  pauseOnData = false,
): Call {
  const outcome: Outcome = {
    connected: false,
    heads: [],
    body: '',
    trailers: null,
    error: undefined,
  };
  let abort: (error?: Error) => void = () => undefined;
  let resume: () => void = () => undefined;
  let paused = false;
  const done = new Promise<Outcome>((resolve) => {
    client.dispatch(
      {
        method: 'GET',
        path: '/',
        headers: ['host', 'upstream'],
        body: null,
        headersTimeout: 5_000,
        bodyTimeout: 5_000,
        ...request,
      },
      {
        onConnect(abortRequest) {
          outcome.connected = true;
          abort = abortRequest;
        },
        onHeaders(status, headers, resumeResponse) {
          outcome.heads.push({ status, headers });
          resume = resumeResponse;
          return true;
        },
        onData(chunk) {
          outcome.body += chunk.toString('latin1');
          if (pauseOnData && !paused) {
            paused = true;
            return false;
          }
          return true;
        },
        onComplete(trailers) {
          outcome.trailers = trailers;
          resolve(outcome);
        },
        onError(error) {
          outcome.error = error;
          resolve(outcome);
        },
      },
    );
  });
  return { outcome, done, abort: (error) => abort(error), resume: () => resume() };
}

const ok = (body = 'ok', extra = '') =>
  `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n${extra}\r\n${body}`;

describe('UpstreamClient against a real upstream', () => {
  it('sends one head with Connection: keep-alive and reuses the connection', async () => {
    const upstream = await rawUpstream((r) => r.socket.write(ok()));
    const client = clientFor(upstream.port);

    const first = await call(client, { path: '/a?b=1', headers: ['Host', 'web', 'X-A', '1'] }).done;
    const second = await call(client).done;

    expect(first).toMatchObject({ connected: true, body: 'ok', error: undefined });
    expect(first.heads).toEqual([{ status: 200, headers: ['Content-Length', '2'] }]);
    expect(second.body).toBe('ok');
    expect(upstream.requests[0]?.head).toBe(
      'GET /a?b=1 HTTP/1.1\r\nHost: web\r\nX-A: 1\r\nconnection: keep-alive',
    );
    expect(upstream.requests.map((r) => r.connection)).toEqual([0, 0]);
  });

  it('sends a Buffer body with the head, and content-length: 0 for an empty POST', async () => {
    const upstream = await rawUpstream((r) => r.socket.write(ok(r.body)));
    const client = clientFor(upstream.port);

    const buffered = await call(client, { method: 'PUT', body: Buffer.from('payload') }).done;
    const empty = await call(client, { method: 'POST' }).done;

    expect(buffered.body).toBe('payload');
    expect(upstream.requests[0]?.head).toContain('\r\ncontent-length: 7\r\n');
    expect(empty.error).toBeUndefined();
    expect(upstream.requests[1]?.head).toContain('\r\ncontent-length: 0\r\n');
  });

  it('streams a body of the announced length, and refuses one that is shorter', async () => {
    const upstream = await rawUpstream((r) => r.socket.write(ok(r.body)));
    const client = clientFor(upstream.port);

    const streamed = await call(client, {
      method: 'POST',
      headers: ['host', 'upstream', 'content-length', '6'],
      body: Readable.from([Buffer.from('abc'), Buffer.from('def')]),
    }).done;
    const short = await call(client, {
      method: 'POST',
      headers: ['host', 'upstream', 'content-length', '9'],
      body: Readable.from([Buffer.from('abc')]),
    }).done;

    expect(streamed).toMatchObject({ body: 'abcdef', error: undefined });
    expect(short.error?.code).toBe('UND_ERR_REQ_CONTENT_LENGTH_MISMATCH');
  });

  it('forwards 1xx heads, then the response, and reads chunked bodies with trailers', async () => {
    const upstream = await rawUpstream((r) =>
      r.socket.write(
        'HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n' +
          'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
          '4\r\ndata\r\n0\r\nX-Sum: abc\r\n\r\n',
      ),
    );
    const client = clientFor(upstream.port);

    const outcome = await call(client).done;
    const next = await call(client).done;

    expect(outcome.heads.map((h) => h.status)).toEqual([103, 200]);
    expect(outcome).toMatchObject({ body: 'data', trailers: ['X-Sum', 'abc'] });
    expect(next.body).toBe('data');
    expect(upstream.connections()).toBe(1);
  });

  it('reads a body without length until the upstream closes, then opens a new connection', async () => {
    const upstream = await rawUpstream((r) => r.socket.end('HTTP/1.1 200 OK\r\n\r\nuntil close'));
    const client = clientFor(upstream.port);

    const first = await call(client).done;
    const second = await call(client).done;

    expect(first).toMatchObject({ body: 'until close', error: undefined });
    expect(second.body).toBe('until close');
    expect(upstream.connections()).toBe(2);
  });

  it('gives no body to HEAD, 204 and 304 and keeps the connection', async () => {
    const upstream = await rawUpstream((r) => {
      if (r.head.startsWith('HEAD')) r.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n');
      else if (r.head.startsWith('DELETE'))
        r.socket.write('HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n');
      else r.socket.write('HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n');
    });
    const client = clientFor(upstream.port);

    const outcomes = [
      await call(client, { method: 'HEAD' }).done,
      await call(client, { method: 'DELETE' }).done,
      await call(client).done,
    ];

    expect(outcomes.map((o) => [o.heads[0]?.status, o.body, o.error])).toEqual([
      [200, '', undefined],
      [204, '', undefined],
      [304, '', undefined],
    ]);
    expect(upstream.connections()).toBe(1);
  });

  it('does not reuse a connection the upstream closes or keeps alive for too short', async () => {
    const upstream = await rawUpstream((r) =>
      r.socket.write(
        r.head.startsWith('GET /close')
          ? ok('ok', 'Connection: close\r\n')
          : ok('ok', 'Keep-Alive: timeout=1\r\n'),
      ),
    );
    const client = clientFor(upstream.port);

    await call(client, { path: '/close' }).done;
    await call(client, { path: '/short' }).done;
    await call(client, { path: '/close' }).done;

    expect(upstream.requests.map((r) => r.connection)).toEqual([0, 1, 2]);
    await expect.poll(() => upstream.closed()).toBe(3);
  });

  it('closes an idle connection after its idle timeout', async () => {
    const upstream = await rawUpstream((r) => r.socket.write(ok()));
    const client = clientFor(upstream.port, { idleTimeoutMs: 100 });

    await call(client).done;

    await expect.poll(() => upstream.closed()).toBe(1);
    expect(client.size).toBe(0);
  });

  it('fails with UND_ERR_HEADERS_TIMEOUT, then UND_ERR_BODY_TIMEOUT, on a silent upstream', async () => {
    const upstream = await rawUpstream((r) => {
      if (r.head.startsWith('GET /body'))
        r.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\npart');
    });
    const client = clientFor(upstream.port);
    const timeouts = { headersTimeout: 100, bodyTimeout: 100 };

    const head = await call(client, timeouts).done;
    const body = await call(client, { ...timeouts, path: '/body' }).done;

    expect(head.error?.code).toBe('UND_ERR_HEADERS_TIMEOUT');
    expect(body.heads.map((h) => h.status)).toEqual([200]);
    expect(body.body).toBe('part');
    expect(body.error?.code).toBe('UND_ERR_BODY_TIMEOUT');
  });

  it('fails with ECONNREFUSED before onConnect when nothing listens', async () => {
    const upstream = await rawUpstream(() => undefined);
    const port = upstream.port;
    await cleanups.pop()?.();
    const client = clientFor(port);

    const outcome = await call(client).done;

    expect(outcome.connected).toBe(false);
    expect(outcome.error?.code).toBe('ECONNREFUSED');
  });

  it('fails with a reset code, no byte answered, when a reused connection is cut', async () => {
    const upstream = await rawUpstream((r) => {
      if (r.head.startsWith('GET /cut')) r.socket.destroy();
      else r.socket.write(ok());
    });
    const client = clientFor(upstream.port);

    await call(client).done;
    const cut = await call(client, { path: '/cut' }).done;

    expect(cut.heads).toEqual([]);
    expect(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']).toContain(cut.error?.code);
    expect((await call(client).done).body).toBe('ok');
  });

  it('cuts a response that ends before its Content-Length', async () => {
    const upstream = await rawUpstream((r) =>
      r.socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello'),
    );
    const client = clientFor(upstream.port);

    const outcome = await call(client).done;

    expect(outcome.body).toBe('hello');
    expect(outcome.error?.code).toBe('UND_ERR_RES_CONTENT_LENGTH_MISMATCH');
  });

  const malformed: readonly [string, string, string][] = [
    ['an invalid status line', 'HTTP/1.1 OK\r\n\r\n', 'HPE_INVALID_VERSION'],
    [
      'both Content-Length and Transfer-Encoding',
      'HTTP/1.1 200 OK\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'HPE_UNEXPECTED_CONTENT_LENGTH',
    ],
    [
      'oversized headers',
      `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      'HPE_HEADER_OVERFLOW',
    ],
  ];

  for (const [what, wire, code] of malformed) {
    it(`fails on ${what} without a head, and closes the connection`, async () => {
      const upstream = await rawUpstream((r) => r.socket.write(wire));
      const client = clientFor(upstream.port);

      const outcome = await call(client).done;

      expect(outcome.heads).toEqual([]);
      expect(outcome.error?.code).toBe(code);
      await expect.poll(() => upstream.closed()).toBe(1);
    });
  }

  it('fails mid-body on a bad chunk size, after the head went out', async () => {
    const upstream = await rawUpstream((r) =>
      r.socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\ndata\r\nXY\r\n'),
    );
    const client = clientFor(upstream.port);

    const outcome = await call(client).done;

    expect(outcome.heads.map((h) => h.status)).toEqual([200]);
    expect(outcome.body).toBe('data');
    expect(outcome.error?.code).toBe('HPE_INVALID_CHUNK_SIZE');
  });

  it('closes a connection that sends bytes after a complete response', async () => {
    const upstream = await rawUpstream((r) => r.socket.write(`${ok()}HTTP/1.1 200 OK\r\n`));
    const client = clientFor(upstream.port);

    const first = await call(client).done;
    await call(client).done;

    expect(first).toMatchObject({ body: 'ok', error: undefined });
    expect(upstream.connections()).toBe(2);
  });

  it('holds the response back while the handler is paused, until resume', async () => {
    const total = 4 * 1024 * 1024;
    const upstream = await rawUpstream((r) => {
      r.socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${total}\r\n\r\n`);
      r.socket.write('x'.repeat(1024));
      void sleep(50).then(() => r.socket.write('y'.repeat(total - 1024)));
    });
    const client = clientFor(upstream.port);

    const paused = call(client, {}, true);
    await expect.poll(() => paused.outcome.body.length).toBeGreaterThan(0);
    const whilePaused = paused.outcome.body.length;
    await sleep(300);

    // The socket was not read: what the upstream sent after the pause stays in the kernel.
    expect(paused.outcome.body.length).toBe(whilePaused);
    paused.resume();
    const outcome = await paused.done;
    expect(outcome.error).toBeUndefined();
    expect(outcome.body.length).toBe(total);
  });

  it('aborts a request in flight: onError, and the connection closes', async () => {
    const upstream = await rawUpstream(() => undefined);
    const client = clientFor(upstream.port);

    const pending = call(client);
    await expect.poll(() => upstream.requests.length).toBe(1);
    pending.abort(new Error('client gone'));
    const outcome = await pending.done;

    expect(outcome.error?.message).toBe('client gone');
    await expect.poll(() => upstream.closed()).toBe(1);
  });

  it('queues requests beyond maxConnections on the connections it has', async () => {
    const upstream = await rawUpstream((r) => void sleep(20).then(() => r.socket.write(ok())));
    const client = clientFor(upstream.port, { maxConnections: 2 });

    const outcomes = await Promise.all(Array.from({ length: 6 }, () => call(client).done));

    expect(outcomes.map((o) => o.body)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
    expect(upstream.connections()).toBe(2);
  });

  it('closes idle connections now and busy ones after their response on closeIdle', async () => {
    let answerSlow!: () => void;
    const slowAnswered = new Promise<void>((resolve) => (answerSlow = resolve));
    const upstream = await rawUpstream((r) => {
      if (r.head.startsWith('GET /slow')) void slowAnswered.then(() => r.socket.write(ok('slow')));
      else r.socket.write(ok());
    });
    const client = clientFor(upstream.port);
    await Promise.all([call(client).done, call(client).done]);
    expect(upstream.connections()).toBe(2);
    const slow = call(client, { path: '/slow' });
    await expect.poll(() => upstream.requests.length).toBe(3);

    client.closeIdle();

    await expect.poll(() => upstream.closed()).toBe(1);
    answerSlow();
    expect((await slow.done).body).toBe('slow');
    await expect.poll(() => upstream.closed()).toBe(2);
    expect((await call(client).done).body).toBe('ok');
    expect(upstream.connections()).toBe(3);
  });

  it('fails requests in flight and later ones with UND_ERR_DESTROYED on destroy', async () => {
    const upstream = await rawUpstream(() => undefined);
    const client = clientFor(upstream.port);
    const inFlight = call(client);
    await expect.poll(() => upstream.requests.length).toBe(1);

    client.destroy();

    expect((await inFlight.done).error?.code).toBe('UND_ERR_DESTROYED');
    expect((await call(client).done).error?.code).toBe('UND_ERR_DESTROYED');
  });
});
