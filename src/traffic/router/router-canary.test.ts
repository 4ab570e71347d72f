import { afterEach, describe, expect, it } from 'vitest';
import type { RoutingTable, Upstream } from '../../features/routing/traffic-router.js';
import { Router } from './router.js';
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

/** A stable upstream at 1.0.0 and a canary at 2.0.0, answering with their id. */
async function stableAndCanary(): Promise<{ stable: Upstream; canary: Upstream }> {
  const [stable, canary] = await Promise.all([startUpstream('stable'), startUpstream('canary')]);
  cleanups.push(
    () => stable!.close(),
    () => canary!.close(),
  );
  return { stable: stable!.upstream, canary: withVersion(canary!.upstream, '2.0.0') };
}

async function routerWith(table: Omit<RoutingTable, 'service' | 'environment' | 'listen'>) {
  const router = new Router();
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

describe('Router canary split', () => {
  it.each([10, 50, 90])(
    'sends %i % of 4000 requests to the canary, within 3 points',
    async (weight) => {
      const { stable, canary } = await stableAndCanary();
      const port = await routerWith({
        backends: { stable: [stable], canary: [canary] },
        canaryWeight: weight,
      });

      const counts = servedBy(await sendMany(port, 4_000));

      expect(((counts.canary ?? 0) / 4_000) * 100).toBeGreaterThan(weight - 3);
      expect(((counts.canary ?? 0) / 4_000) * 100).toBeLessThan(weight + 3);
    },
  );

  it('routes next to nothing to a 0.1 % canary, and serves everything', async () => {
    const { stable, canary } = await stableAndCanary();
    const port = await routerWith({
      backends: { stable: [stable], canary: [canary] },
      canaryWeight: 0.1,
    });

    const counts = servedBy(await sendMany(port, 2_000));

    expect(counts.stable).toBeGreaterThanOrEqual(1_990);
    expect((counts.stable ?? 0) + (counts.canary ?? 0)).toBe(2_000);
  });

  it('sends requests matching a header (exact, prefix, regex) or a cookie to the canary', async () => {
    const { stable, canary } = await stableAndCanary();
    const port = await routerWith({
      backends: { stable: [stable], canary: [canary] },
      canaryWeight: 0,
      canaryMatches: [
        { source: 'header', name: 'x-canary', kind: 'exact', value: 'always' },
        { source: 'header', name: 'x-tenant', kind: 'prefix', value: 'beta-' },
        { source: 'header', name: 'user-agent', kind: 'regex', value: '^Tester/\\d+$' },
        { source: 'cookie', name: 'Group', kind: 'exact', value: 'early' },
      ],
    });
    const routed = async (headers: string[]) =>
      json<Echo>(await send(port, { headers: ['Host', 'web', ...headers] })).id;

    expect(await routed(['X-Canary', 'always'])).toBe('canary');
    expect(await routed(['X-Tenant', 'beta-42'])).toBe('canary');
    expect(await routed(['User-Agent', 'Tester/7'])).toBe('canary');
    expect(await routed(['Cookie', 'a=1; Group=early; b=2'])).toBe('canary');
    expect(await routed(['Cookie', 'a=1', 'X-Tenant', 'gamma', 'X-Tenant', 'beta-1'])).toBe(
      'canary',
    );

    expect(await routed([])).toBe('stable');
    expect(await routed(['X-Canary', 'always-not'])).toBe('stable');
    expect(await routed(['X-Tenant', 'gamma-beta-'])).toBe('stable');
    expect(await routed(['User-Agent', 'Tester/7 extra'])).toBe('stable');
    expect(await routed(['Cookie', 'group=early; Group=late'])).toBe('stable');
    expect(await routed(['X-Group', 'early'])).toBe('stable');
  });

  it('lets requests that match nothing follow the weight', async () => {
    const { stable, canary } = await stableAndCanary();
    const port = await routerWith({
      backends: { stable: [stable], canary: [canary] },
      canaryWeight: 50,
      canaryMatches: [{ source: 'header', name: 'x-canary', kind: 'exact', value: '1' }],
    });

    const matching = servedBy(
      await sendMany(port, 200, () => ({ headers: ['Host', 'web', 'X-Canary', '1'] })),
    );
    const others = servedBy(await sendMany(port, 2_000));

    expect(matching).toEqual({ canary: 200 });
    expect(others.canary).toBeGreaterThan(850);
    expect(others.canary).toBeLessThan(1_150);
  });

  it('keeps a client with its sticky cookie on one version, and pins new clients', async () => {
    const { stable, canary } = await stableAndCanary();
    const port = await routerWith({
      backends: { stable: [stable], canary: [canary] },
      canaryWeight: 20,
      sticky: { cookie: 'ferry-version' },
    });
    const pinnedTo = new Set<string>();

    for (let client = 0; client < 50; client++) {
      const first = await send(port);
      const setCookie = first.headers['set-cookie'] ?? [];
      const version = json<Echo>(first).id === 'canary' ? '2.0.0' : '1.0.0';
      expect(setCookie).toEqual([`ferry-version=${version}; Path=/; HttpOnly; SameSite=Lax`]);
      const cookie = setCookie[0]!.split(';')[0]!;

      const next = await sendMany(port, 100, () => ({
        headers: ['Host', 'web', 'Cookie', `theme=dark; ${cookie}`],
      }));

      expect(Object.keys(servedBy(next))).toEqual([json<Echo>(first).id]);
      expect(next.every((response) => response.headers['set-cookie'] === undefined)).toBe(true);
      pinnedTo.add(version);
    }
    expect(pinnedTo).toEqual(new Set(['1.0.0', '2.0.0'])); // 50 clients at 20 %: all on one version once in 70 000 runs
  });

  it('pins again a client whose cookie names a version no longer served', async () => {
    const { stable } = await stableAndCanary();
    const port = await routerWith({
      backends: { stable: [stable] },
      sticky: { cookie: 'ferry-version' },
    });

    const response = await send(port, {
      headers: ['Host', 'web', 'Cookie', 'ferry-version=0.9.0'],
    });

    expect(json<Echo>(response).id).toBe('stable');
    expect(response.headers['set-cookie']).toEqual([
      'ferry-version=1.0.0; Path=/; HttpOnly; SameSite=Lax',
    ]);
  });

  it('falls back to the other track when the chosen one has no upstream', async () => {
    const { stable, canary } = await stableAndCanary();
    const canaryOnly = await routerWith({
      backends: { stable: [], canary: [canary] },
      canaryWeight: 0,
    });
    const stableOnly = await routerWith({
      backends: { stable: [stable], canary: [] },
      canaryWeight: 100,
      canaryMatches: [{ source: 'header', name: 'x-canary', kind: 'exact', value: '1' }],
    });

    expect(servedBy(await sendMany(canaryOnly, 50))).toEqual({ canary: 50 });
    expect(
      servedBy(
        await sendMany(stableOnly, 50, () => ({ headers: ['Host', 'web', 'X-Canary', '1'] })),
      ),
    ).toEqual({ stable: 50 });
  });

  it('retries on the stable track when the only canary upstream refuses connections', async () => {
    const { stable } = await stableAndCanary();
    const dead = withVersion(await deadUpstream('dead-canary'), '2.0.0');
    const port = await routerWith({
      backends: { stable: [stable], canary: [dead] },
      canaryWeight: 100,
    });

    const responses = await sendMany(port, 20, (i) =>
      i % 2 === 0 ? { method: 'POST', body: `n=${i}` } : {},
    );

    expect(servedBy(responses)).toEqual({ stable: 20 });
  });
});
