import { describe, expect, it } from 'vitest';
import { FakeTrafficRouter } from './fake-traffic-router.js';
import type { RoutingTable } from './traffic-router.js';

const upstream = (id: string) => ({ id, host: '127.0.0.1', port: 9000, version: '1.0.0' });

const table = (over: Partial<RoutingTable> = {}): RoutingTable => ({
  service: 'web',
  environment: 'prod',
  listen: { host: '127.0.0.1', port: 8080 },
  backends: { stable: [upstream('a')] },
  ...over,
});

// The contract suite (traffic-router.contract.test.ts) covers what the fake shares with the
// built-in router; these cover what only the fake records and controls.
describe('FakeTrafficRouter records and controls', () => {
  it('keeps the history of applied tables and reads tracks of the current one', async () => {
    const router = new FakeTrafficRouter();
    const canary = table({ backends: { stable: [upstream('a')], canary: [upstream('b')] } });
    await router.apply(table());
    await router.apply(canary);
    expect(router.history()).toEqual([table(), canary]);
    expect(router.tableOf('web', 'prod')).toBe(canary);
    expect(router.upstreamsOf('web', 'prod', 'canary')).toEqual(['b']);
  });

  it('fails the next apply only, keeping the table it had', async () => {
    const router = new FakeTrafficRouter();
    await router.apply(table());
    router.failNextApply(new Error('boom'));
    await expect(router.apply(table({ canaryWeight: 50 }))).rejects.toThrow('boom');
    expect(router.tableOf('web', 'prod')).toEqual(table());
    await router.apply(table({ canaryWeight: 50 }));
    expect(router.tableOf('web', 'prod')?.canaryWeight).toBe(50);
  });

  it('records drains in order, and holds them until released', async () => {
    const router = new FakeTrafficRouter();
    await router.drain('a', 1000);
    router.holdDrains();
    let done = false;
    const held = router.drain('b', 2000, 500).then(() => (done = true));
    await Promise.resolve();
    expect([done, router.pendingDrains]).toEqual([false, 1]);
    router.releaseDrains();
    await held;
    expect(router.drained()).toEqual(['a', 'b']);
    expect(router.drains()).toEqual([
      { upstreamId: 'a', timeoutMs: 1000 },
      { upstreamId: 'b', timeoutMs: 2000, tunnelsMs: 500 },
    ]);
  });

  it('records removed listeners, not unknown ones, and close', async () => {
    const router = new FakeTrafficRouter();
    await router.apply(table({ listener: 'preview', listen: { host: '127.0.0.1', port: 8081 } }));
    await router.remove('web', 'prod', 'preview');
    await router.remove('web', 'prod');
    expect(router.removed()).toEqual(['web/prod/preview']);
    expect(router.isClosed).toBe(false);
    await router.close();
    expect(router.isClosed).toBe(true);
  });

  it('counts a wildcard address as holding every host of its port', async () => {
    const router = new FakeTrafficRouter();
    await router.apply(table({ listen: { host: '0.0.0.0', port: 8080 } }));
    await expect(router.apply(table({ service: 'api' }))).rejects.toMatchObject({
      code: 'conflict',
    });
    await router.apply(table({ service: 'api', listen: { host: '127.0.0.1', port: 8081 } }));
  });
});
