import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { Upstream } from '../../features/routing/traffic-router.js';
import { Router, type RouterOptions } from './router.js';
import { createRouterMetrics } from './router-metrics.js';
import {
  deadUpstream,
  json,
  send,
  sendMany,
  startUpstream,
  withVersion,
  type Echo,
  type TestResponse,
} from './test-upstreams.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Copy {
  readonly method: string;
  readonly url: string;
  readonly body: Buffer;
  readonly headers: Record<string, unknown>;
}

/** A canary that records every copy it gets and answers as `behaviour` says. */
async function recordingCanary(behaviour: 'ok' | 'hang' | 'fail') {
  const copies: Copy[] = [];
  const held: ServerResponse[] = [];
  const canary = await startUpstream('canary', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      copies.push({
        method: req.method ?? '',
        url: req.url ?? '',
        body: Buffer.concat(chunks),
        headers: req.headers,
      });
      if (behaviour === 'hang') held.push(res);
      else res.writeHead(behaviour === 'ok' ? 200 : 500).end('canary');
    });
  });
  cleanups.push(async () => {
    canary.server.closeAllConnections();
    await canary.close();
  });
  return { upstream: withVersion(canary.upstream, '2.0.0'), copies };
}

async function stableUpstream(): Promise<Upstream> {
  const stable = await startUpstream('stable');
  cleanups.push(() => stable.close());
  return stable.upstream;
}

async function mirroringRouter(
  stable: Upstream,
  canary: Upstream,
  mirrorPercent: number,
  options: RouterOptions = {},
) {
  const registry = new Registry();
  const metrics = createRouterMetrics(registry);
  const router = new Router({ metrics, ...options });
  cleanups.push(() => router.close());
  await router.apply({
    service: 'web',
    environment: 'test',
    listen: { host: '127.0.0.1', port: 0 },
    backends: { stable: [stable], canary: [canary] },
    canaryWeight: 0,
    mirrorPercent,
  });
  return { port: router.address('web', 'test')?.port ?? 0, registry, metrics };
}

function allFromStable(responses: readonly TestResponse[]): void {
  expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));
  expect(new Set(responses.map((r) => json<Echo>(r).id))).toEqual(new Set(['stable']));
}

async function sample(registry: Registry, pattern: RegExp): Promise<number> {
  const line = (await registry.metrics()).split('\n').find((l) => pattern.test(l));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

describe('Router mirroring', () => {
  it('copies about half the requests, bodies included, while users get stable', async () => {
    const stable = await stableUpstream();
    const canary = await recordingCanary('ok');
    const { port, metrics } = await mirroringRouter(stable, canary.upstream, 50);

    const responses = await sendMany(port, 1_000, (i) => {
      if (i % 2 === 1) return { path: `/items/${i}` };
      const body = `order=${i}`;
      const headers = ['Host', 'shop', 'Content-Length', String(body.length)];
      return { method: 'POST', path: `/orders/${i}`, body, headers };
    });

    allFromStable(responses);
    // 1000 draws at 50 %: a standard deviation of ~16.
    await expect.poll(() => canary.copies.length, { timeout: 5_000 }).toBeGreaterThan(420);
    expect(canary.copies.length).toBeLessThan(580);
    for (const copy of canary.copies) {
      const index = Number(copy.url.split('/')[2]);
      if (copy.method === 'POST') {
        expect(copy.url).toBe(`/orders/${index}`);
        expect(copy.body.toString()).toBe(`order=${index}`);
        expect(copy.headers).toMatchObject({ host: 'shop', via: '1.1 ferry' });
      } else {
        expect(copy).toMatchObject({ method: 'GET', url: `/items/${index}` });
      }
    }
    await expect
      .poll(() => metrics.snapshot('web', 'test').tracks.mirror?.requests)
      .toBe(canary.copies.length);
    expect(metrics.snapshot('web', 'test').tracks.stable?.requests).toBe(1_000);
  });

  it('marks copies X-Ferry-Mirror: 1, and never lets a client mark a request itself', async () => {
    const stable = await stableUpstream();
    const canary = await recordingCanary('ok');
    const { port } = await mirroringRouter(stable, canary.upstream, 100);

    const plain = await send(port, { path: '/plain' });
    const forged = await send(port, {
      path: '/forged',
      headers: ['Host', 'web', 'X-Ferry-Mirror', '1'],
    });

    allFromStable([plain, forged]);
    expect(json<Echo>(plain).headers).not.toHaveProperty('x-ferry-mirror');
    expect(json<Echo>(forged).headers).not.toHaveProperty('x-ferry-mirror');
    await expect.poll(() => canary.copies.length).toBe(2);
    for (const copy of canary.copies) expect(copy.headers['x-ferry-mirror']).toBe('1');
  });

  it('sends no copy when a request refused by stable is retried on the canary itself', async () => {
    const dead = await deadUpstream('dead-stable');
    const canary = await recordingCanary('ok');
    const { port } = await mirroringRouter(dead, canary.upstream, 100);

    const responses = await sendMany(port, 20, (i) => ({
      method: 'POST',
      path: `/orders/${i}`,
      body: `order=${i}`,
      headers: ['Host', 'shop', 'Content-Length', String(`order=${i}`.length)],
    }));

    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));
    // Each order reached the canary once: as the request, never also as a mirror copy.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(canary.copies.map((c) => c.url).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `/orders/${i}`).sort(),
    );
  });

  it('keeps users unaffected by a canary that never answers, and caps copies in flight', async () => {
    const stable = await stableUpstream();
    const canary = await recordingCanary('hang');
    const { port, registry } = await mirroringRouter(stable, canary.upstream, 100, {
      mirrorTimeoutMs: 30_000,
    });

    const responses = await sendMany(port, 300, () => ({
      method: 'POST',
      body: 'x',
      headers: ['Host', 'web', 'Content-Length', '1'],
    }));

    allFromStable(responses);
    await expect.poll(() => canary.copies.length).toBe(64);
    expect(
      await sample(registry, /^ferry_router_mirror_skipped_total\{.*reason="concurrency"\}/),
    ).toBe(300 - 64);
  });

  it('gives up on copies after the mirror timeout and counts them as 504', async () => {
    const stable = await stableUpstream();
    const canary = await recordingCanary('hang');
    const { port, metrics } = await mirroringRouter(stable, canary.upstream, 100, {
      mirrorTimeoutMs: 200,
    });

    allFromStable(await sendMany(port, 20));

    await expect
      .poll(() => metrics.snapshot('web', 'test').tracks.mirror, { timeout: 5_000 })
      .toMatchObject({ requests: 20, errors5xx: 20 });
  });

  it('keeps users unaffected by a canary that answers 500 to copies', async () => {
    const stable = await stableUpstream();
    const canary = await recordingCanary('fail');
    const { port, registry } = await mirroringRouter(stable, canary.upstream, 100);

    allFromStable(await sendMany(port, 200));

    const mirrored =
      /^ferry_router_requests_total\{.*version="2.0.0",track="mirror",code_class="5xx"\}/;
    await expect.poll(() => sample(registry, mirrored)).toBe(200);
  });

  it('copies a body of known length up to 1 MiB, never a chunked or larger one', async () => {
    const stable = await stableUpstream();
    const canary = await recordingCanary('ok');
    const { port, registry } = await mirroringRouter(stable, canary.upstream, 100);
    const small = randomBytes(1024 * 1024);
    const large = randomBytes(1024 * 1024 + 1);

    const chunked = await send(port, {
      method: 'PUT',
      path: '/chunked',
      body: Readable.from([randomBytes(1024 * 1024), randomBytes(1024 * 1024)]),
    });
    const tooLarge = await send(port, { method: 'PUT', path: '/large', body: large });
    const copied = await send(port, { method: 'PUT', path: '/small', body: small });

    allFromStable([chunked, tooLarge, copied]);
    await expect.poll(() => canary.copies.length).toBe(1);
    expect(canary.copies[0]!.url).toBe('/small');
    expect(canary.copies[0]!.body.equals(small)).toBe(true);
    expect(await sample(registry, /^ferry_router_mirror_skipped_total\{.*reason="body"\}/)).toBe(2);
  });
});
