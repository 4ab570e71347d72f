import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SmokeCheck } from '../../config/ferry-config.js';
import { allocatePort } from '../../runtime/local/free-port.js';
import { SmokeChecks, type SmokeTarget } from './smoke-checks.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

const servers: Server[] = [];

/** A real HTTP server on 127.0.0.1; `seen` lists the paths asked for, in order. */
async function serve(handler: Handler): Promise<{ port: number; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((request, response) => {
    seen.push(request.url ?? '');
    handler(request, response);
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, seen };
}

function send(response: ServerResponse, status: number, body = ''): void {
  response.writeHead(status, { 'content-type': 'text/plain' }).end(body);
}

function check(path: string, extra: Partial<SmokeCheck> = {}): SmokeCheck {
  return { path, method: 'GET', expectStatus: [200], timeoutMs: 5_000, ...extra };
}

function target(port: number, checks: readonly SmokeCheck[], instanceId = 'i-1'): SmokeTarget {
  return { instanceId, host: '127.0.0.1', port, checks };
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  }
});

describe('SmokeChecks', () => {
  it('passes an instance whose checks all pass, running them in order', async () => {
    const { port, seen } = await serve((request, response) =>
      send(response, 200, request.url === '/version' ? 'ferry v2 ready' : 'ok'),
    );
    const smoke = new SmokeChecks();
    const instance = target(port, [check('/healthz'), check('/version', { expectBody: 'v2' })]);

    expect(smoke.status(instance)).toEqual({ state: 'pending' });
    await smoke.settle();

    expect(smoke.status(instance)).toEqual({ state: 'passed' });
    expect(seen).toEqual(['/healthz', '/version']);
  });

  it('passes an instance with no checks at once', () => {
    const onSettled = vi.fn();
    const smoke = new SmokeChecks({ onSettled });

    expect(smoke.status(target(1, []))).toEqual({ state: 'passed' });
    expect(onSettled).toHaveBeenCalledExactlyOnceWith('i-1', { state: 'passed' });
  });

  it('fails on a status not expected, naming the check, after every attempt', async () => {
    const { port, seen } = await serve((request, response) =>
      send(response, request.url === '/healthz/deep' ? 500 : 200),
    );
    const smoke = new SmokeChecks({ attempts: 2, retryDelayMs: 10 });
    const instance = target(port, [check('/'), check('/healthz/deep')]);

    smoke.status(instance);
    await smoke.settle();

    expect(smoke.status(instance)).toEqual({
      state: 'failed',
      message: 'smoke check 2/2 (GET /healthz/deep): answered 500, expected 200 (after 2 attempts)',
    });
    expect(seen).toEqual(['/', '/healthz/deep', '/', '/healthz/deep']);
  });

  it('lists every accepted status and the method', async () => {
    const { port } = await serve((_request, response) => send(response, 404));
    const smoke = new SmokeChecks({ attempts: 1 });
    const instance = target(port, [
      check('/api/ping', { method: 'head', expectStatus: [200, 204] }),
    ]);

    smoke.status(instance);
    await smoke.settle();

    expect(smoke.status(instance)).toEqual({
      state: 'failed',
      message:
        'smoke check 1/1 (HEAD /api/ping): answered 404, expected 200 or 204 (after 1 attempt)',
    });
  });

  it('fails on a body that does not match, showing at most 80 characters of it', async () => {
    const long = `ferry v1 ${'x'.repeat(200)}`;
    const { port } = await serve((request, response) =>
      send(response, 200, request.url === '/long' ? long : '  ferry\n v1 ready\n'),
    );
    const smoke = new SmokeChecks({ attempts: 1 });
    const short = target(port, [check('/', { expectBody: 'v2' })], 'short');
    const lengthy = target(port, [check('/long', { expectBody: '^v2' })], 'long');

    smoke.status(short);
    smoke.status(lengthy);
    await smoke.settle();

    expect(smoke.status(short)).toEqual({
      state: 'failed',
      message:
        'smoke check 1/1 (GET /): body does not match /v2/, got "ferry v1 ready" (after 1 attempt)',
    });
    const shown = `${long.slice(0, 77)}...`;
    expect(smoke.status(lengthy)).toEqual({
      state: 'failed',
      message: `smoke check 1/1 (GET /long): body does not match /^v2/, got "${shown}" (after 1 attempt)`,
    });
  });

  it('fails a check that does not answer in time', async () => {
    const { port } = await serve(() => {
      // never answers
    });
    const smoke = new SmokeChecks({ attempts: 1 });
    const instance = target(port, [check('/slow', { timeoutMs: 200 })]);

    smoke.status(instance);
    await smoke.settle();

    expect(smoke.status(instance)).toEqual({
      state: 'failed',
      message: 'smoke check 1/1 (GET /slow): timed out after 200ms (after 1 attempt)',
    });
  });

  it('fails when nothing listens on the port', async () => {
    const port = await allocatePort();
    const smoke = new SmokeChecks({ attempts: 2, retryDelayMs: 10 });
    const instance = target(port, [check('/')]);

    smoke.status(instance);
    await smoke.settle();

    expect(smoke.status(instance)).toEqual({
      state: 'failed',
      message: 'smoke check 1/1 (GET /): connection refused (after 2 attempts)',
    });
  });

  it('fails on an invalid body pattern instead of throwing', async () => {
    const { port } = await serve((_request, response) => send(response, 200));
    const smoke = new SmokeChecks({ attempts: 1 });
    const instance = target(port, [check('/', { expectBody: '(' })]);

    smoke.status(instance);
    await smoke.settle();

    expect(smoke.status(instance)).toEqual({
      state: 'failed',
      message: 'smoke check 1/1 (GET /): expectBody /(/ is not a valid pattern (after 1 attempt)',
    });
  });

  it('passes an instance that fails once while warming up, thanks to a retry', async () => {
    let calls = 0;
    const { port } = await serve((_request, response) => {
      calls += 1;
      send(response, calls === 1 ? 503 : 200);
    });
    const smoke = new SmokeChecks({ retryDelayMs: 10 });
    const instance = target(port, [check('/api/ping')]);

    smoke.status(instance);
    await smoke.settle();

    expect(smoke.status(instance)).toEqual({ state: 'passed' });
    expect(calls).toBe(2);
  });

  it('stays pending while a check runs, then calls onSettled exactly once', async () => {
    const held: ServerResponse[] = [];
    const { port } = await serve((_request, response) => held.push(response));
    const onSettled = vi.fn();
    const smoke = new SmokeChecks({ onSettled });
    const instance = target(port, [check('/')]);

    expect(smoke.status(instance)).toEqual({ state: 'pending' });
    await vi.waitFor(() => expect(held).toHaveLength(1));
    expect(smoke.status(instance)).toEqual({ state: 'pending' });
    expect(onSettled).not.toHaveBeenCalled();

    send(held[0]!, 200);
    await smoke.settle();
    smoke.status(instance);
    await smoke.settle();

    expect(smoke.status(instance)).toEqual({ state: 'passed' });
    expect(held).toHaveLength(1);
    expect(onSettled).toHaveBeenCalledExactlyOnceWith('i-1', { state: 'passed' });
  });

  it('starts over after forget()', async () => {
    let healthy = false;
    const { port, seen } = await serve((_request, response) => send(response, healthy ? 200 : 500));
    const onSettled = vi.fn();
    const smoke = new SmokeChecks({ onSettled, attempts: 1 });
    const instance = target(port, [check('/')]);

    smoke.status(instance);
    await smoke.settle();
    expect(smoke.status(instance)).toMatchObject({ state: 'failed' });

    healthy = true;
    smoke.forget('i-1');
    expect(smoke.status(instance)).toEqual({ state: 'pending' });
    await smoke.settle();

    expect(smoke.status(instance)).toEqual({ state: 'passed' });
    expect(seen).toHaveLength(2);
    expect(onSettled.mock.calls).toEqual([
      ['i-1', expect.objectContaining({ state: 'failed' })],
      ['i-1', { state: 'passed' }],
    ]);
  });

  it('drops a run forgotten while in flight: it neither settles nor overwrites the new one', async () => {
    const held: ServerResponse[] = [];
    const { port } = await serve((_request, response) => held.push(response));
    const onSettled = vi.fn();
    const smoke = new SmokeChecks({ onSettled, attempts: 1 });
    const instance = target(port, [check('/')]);

    smoke.status(instance);
    await vi.waitFor(() => expect(held).toHaveLength(1));
    smoke.forget('i-1');
    await smoke.settle();
    expect(onSettled).not.toHaveBeenCalled();

    expect(smoke.status(instance)).toEqual({ state: 'pending' });
    await vi.waitFor(() => expect(held).toHaveLength(2));
    send(held[1]!, 200);
    await smoke.settle();

    expect(smoke.status(instance)).toEqual({ state: 'passed' });
    expect(onSettled).toHaveBeenCalledExactlyOnceWith('i-1', { state: 'passed' });
  });
});
