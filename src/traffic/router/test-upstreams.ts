import {
  Agent,
  createServer,
  request,
  type IncomingHttpHeaders,
  type RequestListener,
  type Server,
} from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { RoutingTable, Upstream } from '../../features/routing/traffic-router.js';

/**
 * Real HTTP servers for the router's tests. Not a test file itself: `*.test.ts` files import it.
 */
export interface TestUpstream {
  readonly upstream: Upstream;
  readonly server: Server;
  /** Open connections to this upstream right now. */
  connections(): Promise<number>;
  /** Graceful stop: no new connections, idle keep-alive connections closed. */
  close(): Promise<void>;
}

/** Answers every request with its id, method, url and the headers it received. */
export const echoRequest =
  (id: string): RequestListener =>
  (req, res) => {
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify({ id, method: req.method, url: req.url, headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
  };

export async function startUpstream(id: string, handler?: RequestListener): Promise<TestUpstream> {
  const server = createServer(handler ?? echoRequest(id));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    upstream: { id, host: '127.0.0.1', port, version: '1.0.0' },
    server,
    connections: () =>
      new Promise((resolve, reject) =>
        server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
      ),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/** An upstream whose port nobody listens on: connecting to it is refused. */
export async function deadUpstream(id: string): Promise<Upstream> {
  const { upstream, close } = await startUpstream(id);
  await close();
  return upstream;
}

export function routingTable(stable: readonly Upstream[], port = 0): RoutingTable {
  return {
    service: 'web',
    environment: 'test',
    listen: { host: '127.0.0.1', port },
    backends: { stable },
  };
}

export interface TestResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface TestRequest {
  readonly method?: string;
  readonly path?: string;
  /** Flat `[name, value, ...]` list, sent exactly as given. */
  readonly headers?: readonly string[];
  readonly body?: string | Buffer | Readable;
  readonly agent?: Agent;
}

/** One request with full control over the headers on the wire; resolves with the whole body. */
export function send(port: number, options: TestRequest = {}): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: options.headers ? [...options.headers] : undefined,
        agent: options.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    req.on('error', reject);
    const body = options.body;
    if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
    else body.pipe(req);
  });
}

export function json<T>(response: TestResponse): T {
  return JSON.parse(response.body.toString('utf8')) as T;
}

export interface Echo {
  readonly id: string;
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/** `upstream` claiming another version, as the canary of a test. */
export function withVersion(upstream: Upstream, version: string): Upstream {
  return { ...upstream, version };
}

/**
 * Sends `count` requests over `concurrency` keep-alive connections, `options(i)` describing the
 * i-th; resolves with all responses in order.
 */
export async function sendMany(
  port: number,
  count: number,
  options: (index: number) => TestRequest = () => ({}),
  concurrency = 16,
): Promise<TestResponse[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const responses: TestResponse[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      responses[index] = await send(port, { agent, ...options(index) });
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return responses;
}

/**
 * A raw client connection to `port`: bytes in, bytes out, nothing interpreted. Its socket is
 * destroyed by the test's `cleanups`.
 */
export async function rawClient(port: number, cleanups: (() => Promise<void>)[]) {
  const socket: Socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) =>
    socket.once('connect', resolve).once('error', reject),
  );
  cleanups.push(async () => void socket.destroy());
  let received = Buffer.alloc(0);
  let closed = false;
  const waiters: (() => void)[] = [];
  const wakeAll = () => waiters.splice(0).forEach((wake) => wake());
  socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    wakeAll();
  });
  socket.on('error', () => undefined);
  const ended = new Promise<void>((resolve) =>
    socket.once('close', () => {
      closed = true;
      wakeAll();
      resolve();
    }),
  );
  return {
    socket,
    ended,
    /** Everything received so far (since the last `take`). */
    received: (): Buffer => received,
    /**
     * Resolves with everything received once `done` holds for it; rejects when the connection
     * closed before it did.
     */
    async until(done: (bytes: Buffer) => boolean): Promise<Buffer> {
      while (!done(received)) {
        if (closed) throw new Error(`closed after ${JSON.stringify(received.toString('latin1'))}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
      return received;
    },
    take(bytes: number): void {
      received = received.subarray(bytes);
    },
  };
}

/**
 * Ids of the upstreams that answered `requests` requests to `port` with 200, sorted; `'closed'`
 * when nothing listens there. What a contract harness's `served` reports.
 */
export async function servedAt(port: number, requests: number): Promise<string[] | 'closed'> {
  const ids = new Set<string>();
  for (let i = 0; i < requests; i++) {
    try {
      const response = await send(port);
      if (response.status === 200) ids.add(json<Echo>(response).id);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ECONNREFUSED') return 'closed';
      throw error;
    }
  }
  return [...ids].sort();
}
