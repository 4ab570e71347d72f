import { describe, expect, it } from 'vitest';
import { FakeTrafficRouter } from '../features/routing/fake-traffic-router.js';
import type { ListenerFigures, RoutingTable } from '../features/routing/traffic-router.js';
import { dispatchByEnvironment } from './data-planes.js';

const environments = [
  { name: 'staging', dataPlane: 'ferry' as const },
  { name: 'prod', dataPlane: 'haproxy' as const },
];
const table = (environment: string): RoutingTable => ({
  service: 'web',
  environment,
  listen: { host: '127.0.0.1', port: 8080 },
  backends: { stable: [{ id: `${environment}-1`, host: '127.0.0.1', port: 9000, version: '1' }] },
});
const figuresOf = (requests: number): ListenerFigures => ({
  tracks: {
    stable: {
      version: '1',
      requests,
      errors5xx: 0,
      p50Ms: 1,
      p95Ms: 1,
      p99Ms: 1,
      headerMatches: 0,
      cookieMatches: 0,
    },
  },
  mirror: { sent: 0, skipped: 0, failed: 0 },
});

describe('dispatchByEnvironment', () => {
  it('sends each environment’s tables, removes, drains and figures to its data plane', async () => {
    const ferry = new FakeTrafficRouter();
    const haproxy = new FakeTrafficRouter();
    const { router, routeFigures } = dispatchByEnvironment(
      { environments },
      {
        ferry: { router: ferry, figures: () => figuresOf(1) },
        haproxy: {
          router: haproxy,
          figures: async () => figuresOf(2),
          holds: (id) => id === 'prod-1',
        },
      },
    );
    await router.apply(table('staging'));
    await router.apply(table('prod'));
    expect(ferry.tableOf('web', 'staging')).toBeDefined();
    expect(ferry.tableOf('web', 'prod')).toBeUndefined();
    expect(haproxy.tableOf('web', 'prod')).toBeDefined();
    expect(haproxy.tableOf('web', 'staging')).toBeUndefined();

    await router.drain('prod-1', 1_000);
    await router.drain('staging-1', 1_000);
    expect(haproxy.drained()).toEqual(['prod-1']);
    expect(ferry.drained()).toEqual(['prod-1', 'staging-1']);

    expect((await routeFigures('web', 'prod')).tracks.stable?.requests).toBe(2);
    expect((await routeFigures('web', 'staging')).tracks.stable?.requests).toBe(1);

    await router.remove('web', 'prod');
    expect(haproxy.tableOf('web', 'prod')).toBeUndefined();
    expect(ferry.tableOf('web', 'staging')).toBeDefined();
  });
});
