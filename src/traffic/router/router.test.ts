import { createHash, randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { Router, type RouterOptions } from './router.js';
import {
  deadUpstream,
  json,
  routingTable,
  send,
  startUpstream,
  type Echo,
  type TestUpstream,
} from './test-upstreams.js';
import type { Upstream } from '../../features/routing/traffic-router.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function upstreams(...ids: string[]): Promise<TestUpstream[]> {
  const started = await Promise.all(ids.map((id) => startUpstream(id)));
  for (const u of started) cleanups.push(() => u.close());
  return started;
}

/** A router serving `stable`; returns it with the port its listener got. */
async function routerFor(
  stable: readonly Upstream[],
  options: RouterOptions = {},
): Promise<{ router: Router; port: number }> {
  const router = new Router(options);
  cleanups.push(() => router.close());
  await router.apply(routingTable(stable));
  const port = router.address('web', 'test')?.port ?? 0;
  return { router, port };
}

/** A request the test holds open: the upstream answers when `release` is called. */
function heldUpstream(id: string) {
  let arrived!: () => void;
  const arrivedPromise = new Promise<void>((resolve) => (arrived = resolve));
  const releases: (() => void)[] = [];
  const started = startUpstream(id, (req, res) => {
    arrived();
    req.resume();
    releases.push(() => res.writeHead(200).end(`held by ${id}`));
  });
  return {
    started,
    arrived: arrivedPromise,
    release: () => releases.splice(0).forEach((release) => release()),
  };
}

describe('Router', () => {
  it('round-robins requests over the stable upstreams', async () => {
    const three = await upstreams('a', 'b', 'c');
    const { port } = await routerFor(three.map((u) => u.upstream));

    const ids: string[] = [];
    for (let i = 0; i < 9; i++) ids.push(json<Echo>(await send(port)).id);

    expect(ids.slice(0, 3).sort()).toEqual(['a', 'b', 'c']);
    expect(ids.slice(3)).toEqual([...ids.slice(0, 3), ...ids.slice(0, 3)]);
  });

  it('answers 503 no_upstream as JSON when the track has no upstream', async () => {
    const { port } = await routerFor([]);

    const response = await send(port);

    expect(response.status).toBe(503);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(json(response)).toEqual({
      error: { code: 'no_upstream', message: expect.any(String) },
    });
  });

  it('finishes a request in flight to an upstream swapped out, and drain waits for it', async () => {
    const held = heldUpstream('old');
    const old = await held.started;
    cleanups.push(() => old.close());
    const [next] = await upstreams('new');
    const { router, port } = await routerFor([old.upstream]);

    const inFlight = send(port, { path: '/slow', agent: new Agent({ keepAlive: false }) });
    await held.arrived;
    await router.apply(routingTable([next!.upstream]));
    let drained = false;
    const drain = router.drain('old', 10_000).then(() => (drained = true));

    expect(json<Echo>(await send(port)).id).toBe('new');
    await sleep(100);
    expect(drained).toBe(false);

    held.release();
    const response = await inFlight;
    await drain;

    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('held by old');
    await expect.poll(() => old.connections(), { timeout: 2_000 }).toBe(0);
  });

  it('stops waiting in drain after the timeout', async () => {
    const held = heldUpstream('stuck');
    const stuck = await held.started;
    cleanups.push(() => stuck.close());
    const { router, port } = await routerFor([stuck.upstream]);
    cleanups.push(async () => held.release()); // runs first: the router then closes at once
    void send(port).catch(() => undefined);
    await held.arrived;
    await router.apply(routingTable([]));

    const started = performance.now();
    await router.drain('stuck', 200);

    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('retries a refused connection on another upstream, so no request fails', async () => {
    const [live1, live2] = await upstreams('live-1', 'live-2');
    const dead = await deadUpstream('dead');
    const { port } = await routerFor([live1!.upstream, dead, live2!.upstream]);

    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        i % 3 === 0 ? send(port, { method: 'POST', body: `body ${i}` }) : send(port),
      ),
    );

    expect(responses.map((r) => r.status)).toEqual(Array(30).fill(200));
    expect(new Set(responses.map((r) => json<Echo>(r).id))).toEqual(new Set(['live-1', 'live-2']));
  });

  it('answers 502 upstream_unreachable when the only upstream refuses a POST', async () => {
    const dead = await deadUpstream('dead');
    const { port } = await routerFor([dead]);

    const response = await send(port, { method: 'POST', body: 'order=1' });

    expect(response.status).toBe(502);
    expect(json(response)).toEqual({
      error: { code: 'upstream_unreachable', message: expect.any(String) },
    });
  });

  it('replays a GET, not a POST, when a reused keep-alive socket is reset', async () => {
    const resetOnce = new Set<string>();
    const [flaky] = await Promise.all([
      startUpstream('flaky', (req, res) => {
        const key = `${req.method} ${req.url}`;
        if (req.url === '/reset' && !resetOnce.has(key)) {
          resetOnce.add(key);
          req.socket.destroy();
          return;
        }
        req.resume();
        res.end('ok');
      }),
    ]);
    cleanups.push(() => flaky.close());
    const { port } = await routerFor([flaky.upstream]);
    const client = new Agent({ keepAlive: true, maxSockets: 1 });
    cleanups.push(async () => client.destroy());

    expect((await send(port, { agent: client })).status).toBe(200); // pools a socket
    const get = await send(port, { path: '/reset', agent: client });
    const post = await send(port, { method: 'POST', path: '/reset', agent: client });

    expect(get.status).toBe(200);
    expect(post.status).toBe(502);
  });

  it('answers 504 upstream_timeout when the upstream stays silent', async () => {
    const held = heldUpstream('silent');
    const silent = await held.started;
    cleanups.push(async () => {
      held.release();
      await silent.close();
    });
    const { port } = await routerFor([silent.upstream], { responseTimeoutMs: 200 });

    const response = await send(port);

    expect(response.status).toBe(504);
    expect(json(response)).toEqual({
      error: { code: 'upstream_timeout', message: expect.any(String) },
    });
  });

  it('drops hop-by-hop headers both ways and sets X-Forwarded-* and Via', async () => {
    const [app] = await Promise.all([
      startUpstream('app', (req, res) => {
        res.writeHead(200, [
          'Connection',
          'X-Upstream-Hop',
          'X-Upstream-Hop',
          'secret',
          'Keep-Alive',
          'timeout=5',
          'X-Kept',
          'yes',
          'Content-Type',
          'application/json',
        ]);
        res.end(
          JSON.stringify({ id: 'app', method: req.method, url: req.url, headers: req.headers }),
        );
      }),
    ]);
    cleanups.push(() => app.close());
    const { port } = await routerFor([app.upstream]);

    const response = await send(port, {
      method: 'POST',
      path: '/orders?page=2',
      body: 'item=1',
      headers: [
        'Host',
        'shop.example',
        'Connection',
        'keep-alive, X-Hop',
        'X-Hop',
        'secret',
        'Keep-Alive',
        'timeout=5',
        'Proxy-Connection',
        'keep-alive',
        'TE',
        'trailers',
        'Transfer-Encoding',
        'chunked',
        'Trailer',
        'X-Checksum',
        'Upgrade',
        'h2c',
        'X-Forwarded-For',
        '203.0.113.9',
        'X-Forwarded-Proto',
        'https',
        'Via',
        '1.0 corp-proxy',
        'X-App',
        'kept',
      ],
    });
    const seen = json<Echo>(response);

    expect(seen.url).toBe('/orders?page=2');
    expect(seen.headers).not.toHaveProperty('x-hop');
    expect(seen.headers).not.toHaveProperty('keep-alive');
    expect(seen.headers).not.toHaveProperty('proxy-connection');
    expect(seen.headers).not.toHaveProperty('te');
    expect(seen.headers).not.toHaveProperty('trailer');
    expect(seen.headers).not.toHaveProperty('upgrade');
    expect(seen.headers.connection).toBe('keep-alive'); // the router's own connection
    // Re-framed by the router: chunked, or sized when the whole body had arrived already.
    expect([seen.headers['transfer-encoding'], seen.headers['content-length']]).toContainEqual(
      expect.stringMatching(/^(chunked|6)$/),
    );
    expect(seen.headers).toMatchObject({
      host: 'shop.example',
      'x-app': 'kept',
      'x-forwarded-for': '203.0.113.9, 127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'shop.example',
      via: '1.0 corp-proxy, 1.1 ferry',
    });
    expect(response.headers).not.toHaveProperty('x-upstream-hop');
    expect(response.headers['x-kept']).toBe('yes');
  });

  it('streams a 20 MB body through both ways without buffering it', async () => {
    let firstBytes!: () => void;
    const upstreamGotBytes = new Promise<void>((resolve) => (firstBytes = resolve));
    const [echo] = await Promise.all([
      startUpstream('echo', (req, res) => {
        req.once('data', () => firstBytes());
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        req.pipe(res);
      }),
    ]);
    cleanups.push(() => echo.close());
    const { port } = await routerFor([echo.upstream]);
    const chunks = Array.from({ length: 320 }, () => randomBytes(64 * 1024));
    const sent = createHash('sha256');
    const received = createHash('sha256');
    let receivedBytes = 0;

    await new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'PUT', path: '/echo' }, (res) => {
        res.on('data', (chunk: Buffer) => {
          received.update(chunk);
          receivedBytes += chunk.length;
        });
        res.on('end', resolve);
        res.on('error', reject);
      });
      req.on('error', reject);
      const [first, ...rest] = chunks;
      sent.update(first!);
      req.write(first);
      // The rest is sent only after the first chunk went through the router: proof of streaming.
      void upstreamGotBytes.then(async () => {
        for (const chunk of rest) {
          sent.update(chunk);
          if (!req.write(chunk)) await new Promise((resolve) => req.once('drain', resolve));
        }
        req.end();
      });
    });

    expect(receivedBytes).toBe(320 * 64 * 1024);
    expect(received.digest('hex')).toBe(sent.digest('hex'));
  });

  it('loses no request while upstream sets are swapped under load', async () => {
    let generation = await upstreams('g0-a', 'g0-b');
    const { router, port } = await routerFor(generation.map((u) => u.upstream));
    const client = new Agent({ keepAlive: true, maxSockets: 20 });
    cleanups.push(async () => client.destroy());
    let done = false;
    let swaps = 0;

    const swapping = (async () => {
      while (!done) {
        swaps++;
        const next = await upstreams(`g${swaps}-a`, `g${swaps}-b`);
        await router.apply(routingTable(next.map((u) => u.upstream)));
        const retired = generation;
        generation = next;
        await Promise.all(retired.map((u) => router.drain(u.upstream.id, 5_000)));
        await Promise.all(retired.map((u) => u.close()));
        await sleep(10);
      }
    })();

    const total = 2_000;
    let issued = 0;
    const failures: string[] = [];
    const worker = async () => {
      while (issued < total) {
        const i = issued++;
        try {
          const response =
            i % 5 === 0
              ? await send(port, { method: 'POST', body: `n=${i}`, agent: client })
              : await send(port, { agent: client });
          if (response.status !== 200) failures.push(`${i}: ${response.status}`);
        } catch (error) {
          failures.push(`${i}: ${String(error)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    done = true;
    await swapping;

    expect(failures).toEqual([]);
    expect(swaps).toBeGreaterThanOrEqual(5);
  });

  it('lets a request in flight finish when its listener is removed, then stops listening', async () => {
    const held = heldUpstream('app');
    const app = await held.started;
    cleanups.push(() => app.close());
    const { router, port } = await routerFor([app.upstream]);

    const inFlight = send(port);
    await held.arrived;
    const removed = router.remove('web', 'test');
    await sleep(50);
    held.release();

    expect((await inFlight).status).toBe(200);
    await removed;
    await expect(send(port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('serves a preview listener beside the main one, and removes only the one named', async () => {
    const [blue, green] = await upstreams('blue', 'green');
    const router = new Router();
    cleanups.push(() => router.close());
    const table = { service: 'web', environment: 'test', listen: { host: '127.0.0.1', port: 0 } };
    await router.apply({ ...table, backends: { stable: [blue!.upstream] } });
    await router.apply({ ...table, listener: 'preview', backends: { stable: [green!.upstream] } });
    const main = router.address('web', 'test')?.port ?? 0;
    const preview = router.address('web', 'test', 'preview')?.port ?? 0;

    expect(preview).not.toBe(main);
    expect(json<Echo>(await send(main)).id).toBe('blue');
    expect(json<Echo>(await send(preview)).id).toBe('green');

    await router.remove('web', 'test', 'preview');

    await expect(send(preview)).rejects.toThrow(/ECONNREFUSED/);
    expect(json<Echo>(await send(main)).id).toBe('blue');
    expect(router.address('web', 'test', 'preview')).toBeUndefined();
  });
});
