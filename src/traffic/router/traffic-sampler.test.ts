import type { RequestListener } from 'node:http';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { RoutingTable } from '../../features/routing/traffic-router.js';
import type { TrackSample } from '../../features/routing/traffic-samples.js';
import { Router } from './router.js';
import { createRouterMetrics, type RouterMetrics } from './router-metrics.js';
import { sendMany, startUpstream, withVersion, type TestRequest } from './test-upstreams.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Answers 500 on `/fail`, 200 otherwise, after `delayMs`. */
const answerAfter =
  (delayMs: number): RequestListener =>
  (req, res) => {
    req.resume();
    const status = req.url === '/fail' ? 500 : 200;
    setTimeout(() => res.writeHead(status).end(), delayMs);
  };

interface Setup {
  readonly metrics: RouterMetrics;
  readonly router: Router;
  readonly table: RoutingTable;
  readonly port: number;
}

/**
 * A slow canary (~50 ms) reached with `X-Canary: 1`, and an immediate baseline getting every
 * other request: counts per track are exact.
 */
async function slowCanaryFastBaseline(): Promise<Setup> {
  const started = await Promise.all([
    startUpstream('stable', answerAfter(0)),
    startUpstream('canary', answerAfter(50)),
    startUpstream('baseline', answerAfter(0)),
  ]);
  for (const upstream of started) cleanups.push(() => upstream.close());
  const [stable, canary, baseline] = started.map((started) => started.upstream);
  const metrics = createRouterMetrics(new Registry());
  const router = new Router({ metrics });
  cleanups.push(() => router.close());
  const table: RoutingTable = {
    service: 'web',
    environment: 'test',
    listen: { host: '127.0.0.1', port: 0 },
    backends: { stable: [stable!], canary: [withVersion(canary!, '2.0.0')], baseline: [baseline!] },
    canaryWeight: 0,
    baselineWeight: 100,
    canaryMatches: [{ source: 'header', name: 'x-canary', kind: 'exact', value: '1' }],
  };
  await router.apply(table);
  return { metrics, router, table, port: router.address('web', 'test')?.port ?? 0 };
}

const toCanary = (path = '/'): TestRequest => ({ path, headers: ['Host', 'web', 'X-Canary', '1'] });
const toBaseline = (path = '/'): TestRequest => ({ path });

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

describe('Router traffic sampler', () => {
  it('counts per track what the main listener served while the window was open', async () => {
    const { metrics, router, table, port } = await slowCanaryFastBaseline();
    await router.apply({ ...table, listener: 'preview' });
    const preview = router.address('web', 'test', 'preview')?.port ?? 0;
    await sendMany(port, 10, (i) => (i % 2 === 0 ? toCanary() : toBaseline()));

    const window = metrics.open('web', 'test');
    await sendMany(port, 30, (i) => toCanary(i < 6 ? '/fail' : '/'));
    await sendMany(port, 40, (i) => toBaseline(i < 10 ? '/fail' : '/'));
    await sendMany(preview, 20, (i) => (i % 2 === 0 ? toCanary() : toBaseline()));
    const read = window.read();

    expect(Object.keys(read).sort()).toEqual(['baseline', 'canary']);
    const canary = read.canary as TrackSample;
    const baseline = read.baseline as TrackSample;
    expect(canary).toMatchObject({ version: '2.0.0', requests: 30, errors5xx: 6 });
    expect(baseline).toMatchObject({ version: '1.0.0', requests: 40, errors5xx: 10 });
    expect(canary.latenciesMs).toHaveLength(30);
    expect(baseline.latenciesMs).toHaveLength(40);
    // Timers may fire a little early, never much; a slow machine only adds.
    expect(Math.min(...canary.latenciesMs)).toBeGreaterThanOrEqual(40);
    expect(canary.latenciesMs.filter((ms) => ms >= 50).length).toBeGreaterThanOrEqual(27);
    expect(median(baseline.latenciesMs)).toBeLessThan(median(canary.latenciesMs));
  });

  it('stops counting once closed, and keeps answering what it collected', async () => {
    const { metrics, port } = await slowCanaryFastBaseline();
    const window = metrics.open('web', 'test');
    await sendMany(port, 5, () => toBaseline());

    window.close();
    const atClose = window.read();
    await sendMany(port, 5, () => toBaseline());
    window.close();

    expect(atClose.baseline?.requests).toBe(5);
    expect(window.read()).toEqual(atClose);
  });

  it('keeps a uniform sample of at most maxLatencySamples latencies, per window', async () => {
    const { metrics, port } = await slowCanaryFastBaseline();
    const capped = metrics.open('web', 'test', { maxLatencySamples: 10 });
    await sendMany(port, 20, () => toBaseline());
    const uncapped = metrics.open('web', 'test');
    await sendMany(port, 80, () => toBaseline());

    expect(capped.read().baseline).toMatchObject({ requests: 100 });
    expect(capped.read().baseline?.latenciesMs).toHaveLength(10);
    expect(uncapped.read().baseline).toMatchObject({ requests: 80 });
    expect(uncapped.read().baseline?.latenciesMs).toHaveLength(80);
  });

  it("counts the router's own answers as version none", async () => {
    const metrics = createRouterMetrics(new Registry());
    const router = new Router({ metrics });
    cleanups.push(() => router.close());
    await router.apply({
      service: 'web',
      environment: 'test',
      listen: { host: '127.0.0.1', port: 0 },
      backends: { stable: [] },
    });
    const window = metrics.open('web', 'test');

    const responses = await sendMany(router.address('web', 'test')?.port ?? 0, 3);

    expect(responses.map((response) => response.status)).toEqual([503, 503, 503]);
    expect(window.read().stable).toMatchObject({ version: 'none', requests: 3, errors5xx: 3 });
    expect(window.read().stable?.latenciesMs).toHaveLength(3);
  });
});
