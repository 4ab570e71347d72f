import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allocatePort } from './free-port.js';
import { probeHttp } from './http-probe.js';

let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/hang') return; // never answers
    const status = Number(req.url?.slice(1)) || 200;
    res.writeHead(status, status === 302 ? { location: '/' } : {});
    res.end('x');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const probe = (path: string, timeoutMs = 2000, signal?: AbortSignal) =>
  probeHttp({ host: '127.0.0.1', port, path, timeoutMs, signal });

describe('probeHttp', () => {
  it('counts 2xx and 3xx as success', async () => {
    expect(await probe('/200')).toEqual({ ok: true });
    expect(await probe('/204')).toEqual({ ok: true });
    expect(await probe('/302')).toEqual({ ok: true });
  });

  it('counts other statuses, refused connections and timeouts as failures, with a reason', async () => {
    expect(await probe('/404')).toEqual({ ok: false, reason: 'GET /404 → 404' });
    expect(await probe('/503')).toEqual({ ok: false, reason: 'GET /503 → 503' });
    expect(await probe('/hang', 200)).toEqual({
      ok: false,
      reason: 'GET /hang timed out after 200ms',
    });
    const closed = await allocatePort();
    expect(
      await probeHttp({ host: '127.0.0.1', port: closed, path: '/', timeoutMs: 1000 }),
    ).toEqual({
      ok: false,
      reason: `connection refused on port ${closed}`,
    });
  });

  it('settles as a failure when aborted', async () => {
    const abort = new AbortController();
    const pending = probe('/hang', 10_000, abort.signal);
    abort.abort();
    expect((await pending).ok).toBe(false);
  });
});
