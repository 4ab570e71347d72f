import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { RoutingTable, Upstream } from '../../features/routing/traffic-router.js';
import { Router } from './router.js';
import { createRouterMetrics, type RouterMetrics } from './router-metrics.js';
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

interface Tracks {
  readonly stable: Upstream;
  readonly canary: Upstream;
  /** The stable version, on instances of its own. */
  readonly baseline: Upstream;
}

/** Stable and baseline at 1.0.0, canary at 2.0.0, each answering with its id. */
async function threeTracks(): Promise<Tracks> {
  const started = await Promise.all(
    ['stable', 'canary', 'baseline'].map((id) => startUpstream(id)),
  );
  for (const upstream of started) cleanups.push(() => upstream.close());
  const [stable, canary, baseline] = started.map((started) => started.upstream);
  return { stable: stable!, canary: withVersion(canary!, '2.0.0'), baseline: baseline! };
}

async function routerWith(
  table: Omit<RoutingTable, 'service' | 'environment' | 'listen'>,
  metrics?: RouterMetrics,
): Promise<number> {
  const router = new Router({ metrics });
  cleanups.push(() => router.close());
  await router.apply({
    service: 'web',
    environment: 'test',
    listen: { host: '127.0.0.1', port: 0 },
    ...table,
  });
  return router.address('web', 'test')?.port ?? 0;
}

function servedBy(responses: readonly TestResponse[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const response of responses) {
    expect(response.status).toBe(200);
    const { id } = json<Echo>(response);
    counts[id] = (counts[id] ?? 0) + 1;
  }
  return counts;
}

/** Percent of `total` requests, to compare with weights. */
const share = (count: number | undefined, total: number) => ((count ?? 0) / total) * 100;

describe('Router baseline track', () => {
  it('splits 20 % canary, 20 % baseline and 60 % stable within 3 points, and counts the baseline', async () => {
    const { stable, canary, baseline } = await threeTracks();
    const registry = new Registry();
    const metrics = createRouterMetrics(registry);
    const port = await routerWith(
      {
        backends: { stable: [stable], canary: [canary], baseline: [baseline] },
        canaryWeight: 20,
        baselineWeight: 20,
      },
      metrics,
    );

    const counts = servedBy(await sendMany(port, 4_000));

    expect(share(counts.canary, 4_000)).toBeGreaterThan(17);
    expect(share(counts.canary, 4_000)).toBeLessThan(23);
    expect(share(counts.baseline, 4_000)).toBeGreaterThan(17);
    expect(share(counts.baseline, 4_000)).toBeLessThan(23);
    expect(share(counts.stable, 4_000)).toBeGreaterThan(57);
    expect(share(counts.stable, 4_000)).toBeLessThan(63);
    expect(metrics.snapshot('web', 'test').tracks.baseline).toMatchObject({
      version: '1.0.0',
      requests: counts.baseline,
      errors5xx: 0,
    });
    const exposition = await registry.metrics();
    expect(exposition).toContain(
      'ferry_router_requests_total{service="web",environment="test",version="1.0.0",' +
        `track="baseline",code_class="2xx"} ${counts.baseline}`,
    );
    expect(exposition).toContain(
      'ferry_router_request_duration_seconds_count{service="web",environment="test",' +
        `version="1.0.0",track="baseline"} ${counts.baseline}`,
    );
  });

  it('gives the baseline share to stable when the baseline has no upstream', async () => {
    const { stable, canary } = await threeTracks();
    const port = await routerWith({
      backends: { stable: [stable], canary: [canary], baseline: [] },
      canaryWeight: 20,
      baselineWeight: 20,
    });

    const counts = servedBy(await sendMany(port, 2_000));

    expect(counts.baseline).toBeUndefined();
    expect(share(counts.canary, 2_000)).toBeGreaterThan(16);
    expect(share(counts.canary, 2_000)).toBeLessThan(24);
    expect(share(counts.stable, 2_000)).toBeGreaterThan(76);
    expect(share(counts.stable, 2_000)).toBeLessThan(84);
  });

  // Picks are random: the bounds are about ±4.5 standard deviations of a binomial over 2,000
  // requests, so a correct router fails them about once in 150,000 runs (±3 failed in a CI run).
  it('clamps the baseline weight to what the canary leaves', async () => {
    const { stable, canary, baseline } = await threeTracks();
    const port = await routerWith({
      backends: { stable: [stable], canary: [canary], baseline: [baseline] },
      canaryWeight: 70,
      baselineWeight: 50,
    });

    // Without canary upstreams the canary's 70 % goes to stable; the baseline keeps its 30 %.
    const noCanary = await routerWith({
      backends: { stable: [stable], canary: [], baseline: [baseline] },
      canaryWeight: 70,
      baselineWeight: 50,
    });

    const counts = servedBy(await sendMany(port, 2_000));
    const withoutCanary = servedBy(await sendMany(noCanary, 2_000));

    expect(counts.stable).toBeUndefined();
    expect(share(counts.canary, 2_000)).toBeGreaterThan(65);
    expect(share(counts.canary, 2_000)).toBeLessThan(75);
    expect((counts.canary ?? 0) + (counts.baseline ?? 0)).toBe(2_000);
    expect(share(withoutCanary.baseline, 2_000)).toBeGreaterThan(25);
    expect(share(withoutCanary.baseline, 2_000)).toBeLessThan(35);
    expect((withoutCanary.stable ?? 0) + (withoutCanary.baseline ?? 0)).toBe(2_000);
  });

  it('sends header matches to the canary only, whatever the baseline weight', async () => {
    const { stable, canary, baseline } = await threeTracks();
    const port = await routerWith({
      backends: { stable: [stable], canary: [canary], baseline: [baseline] },
      canaryWeight: 0,
      baselineWeight: 100,
      canaryMatches: [{ source: 'header', name: 'x-canary', kind: 'exact', value: '1' }],
    });

    const matching = await sendMany(port, 50, () => ({
      headers: ['Host', 'web', 'X-Canary', '1'],
    }));
    const others = await sendMany(port, 50);

    expect(servedBy(matching)).toEqual({ canary: 50 });
    expect(servedBy(others)).toEqual({ baseline: 50 });
  });

  it('retries a refused baseline request on stable, and serves from the baseline alone', async () => {
    const { stable, baseline } = await threeTracks();
    const dead = await deadUpstream('dead-baseline');
    const refused = await routerWith({
      backends: { stable: [stable], baseline: [dead] },
      baselineWeight: 100,
    });
    const baselineOnly = await routerWith({
      backends: { stable: [], baseline: [baseline] },
      baselineWeight: 0,
    });

    expect(servedBy(await sendMany(refused, 20))).toEqual({ stable: 20 });
    expect(servedBy(await sendMany(baselineOnly, 20))).toEqual({ baseline: 20 });
  });

  it('pins a client first sent to the baseline to the baseline, apart from stable clients', async () => {
    const { stable, baseline } = await threeTracks();
    const port = await routerWith({
      backends: { stable: [stable], baseline: [baseline] },
      baselineWeight: 100,
      sticky: { cookie: 'ferry-version' },
    });

    const first = await send(port);
    const again = await sendMany(port, 20, () => ({
      headers: ['Host', 'web', 'Cookie', 'ferry-version=1.0.0~baseline'],
    }));
    const stableClient = await sendMany(port, 20, () => ({
      headers: ['Host', 'web', 'Cookie', 'ferry-version=1.0.0'],
    }));

    expect(json<Echo>(first).id).toBe('baseline');
    expect(first.headers['set-cookie']).toEqual([
      'ferry-version=1.0.0~baseline; Path=/; HttpOnly; SameSite=Lax',
    ]);
    // The baseline sees whole sessions, as the canary does; the same version's stable clients stay.
    expect(servedBy(again)).toEqual({ baseline: 20 });
    expect(servedBy(stableClient)).toEqual({ stable: 20 });
  });
});
