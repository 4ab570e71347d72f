import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ListenerKind, RoutingTable, TrafficRouter, Upstream } from './traffic-router.js';

/**
 * One implementation under the contract, and how a client sees its listeners. The real router
 * answers requests; the fake tells what its current table would send them to.
 */
export interface RouterHarness {
  readonly router: TrafficRouter;
  /** An upstream that answers with its id (the real one: an HTTP server). */
  upstream(id: string): Promise<Upstream>;
  /** A port nobody listens on, for tables with a fixed address. */
  freePort(): Promise<number>;
  /**
   * Ids of the stable upstreams that answer requests to a listener (default `main`), sorted:
   * `[]` when it answers but has none, `'closed'` when nothing listens.
   */
  served(
    service: string,
    environment: string,
    listener?: ListenerKind,
  ): Promise<string[] | 'closed'>;
  close(): Promise<void>;
}

/** What every TrafficRouter promises; `open` gives a harness with no listener. */
export function describeTrafficRouterContract(
  name: string,
  open: () => Promise<RouterHarness>,
): void {
  describe(`TrafficRouter contract: ${name}`, () => {
    let harness: RouterHarness;
    let router: TrafficRouter;
    beforeEach(async () => {
      harness = await open();
      router = harness.router;
    });
    afterEach(() => harness.close());

    const table = (
      stable: readonly Upstream[],
      over: Partial<RoutingTable> = {},
    ): RoutingTable => ({
      service: 'web',
      environment: 'prod',
      listen: { host: '127.0.0.1', port: 0 },
      backends: { stable },
      ...over,
    });

    it('serves the stable upstreams of an applied table, and the next table once applied', async () => {
      const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((id) => harness.upstream(id)));
      await router.apply(table([a!, b!]));
      expect(await harness.served('web', 'prod')).toEqual(['a', 'b']);
      await router.apply(table([c!]));
      expect(await harness.served('web', 'prod')).toEqual(['c']);
    });

    it('answers with no upstream when the table has none', async () => {
      await router.apply(table([]));
      expect(await harness.served('web', 'prod')).toEqual([]);
    });

    it('keeps listeners of other services, environments and listener kinds apart', async () => {
      const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((id) => harness.upstream(id)));
      await router.apply(table([a!]));
      await router.apply(table([b!], { listener: 'preview' }));
      await router.apply(table([c!], { environment: 'staging' }));
      expect(await harness.served('web', 'prod')).toEqual(['a']);
      expect(await harness.served('web', 'prod', 'preview')).toEqual(['b']);
      expect(await harness.served('web', 'staging')).toEqual(['c']);
      expect(await harness.served('api', 'prod')).toBe('closed');
    });

    it('removes one listener, leaves the others, and ignores unknown ones', async () => {
      const [a, b] = await Promise.all(['a', 'b'].map((id) => harness.upstream(id)));
      await router.apply(table([a!]));
      await router.apply(table([b!], { listener: 'preview' }));
      await router.remove('web', 'prod', 'preview');
      expect(await harness.served('web', 'prod', 'preview')).toBe('closed');
      expect(await harness.served('web', 'prod')).toEqual(['a']);
      await router.remove('web', 'prod', 'preview');
      await router.remove('nope', 'prod');
      await router.remove('web', 'prod');
      expect(await harness.served('web', 'prod')).toBe('closed');
    });

    it('refuses an address another listener holds, and keeps that one serving', async () => {
      const [a, b] = await Promise.all(['a', 'b'].map((id) => harness.upstream(id)));
      const listen = { host: '127.0.0.1', port: await harness.freePort() };
      await router.apply(table([a!], { listen }));
      await expect(router.apply(table([b!], { service: 'api', listen }))).rejects.toMatchObject({
        code: 'conflict',
      });
      expect(await harness.served('web', 'prod')).toEqual(['a']);
      expect(await harness.served('api', 'prod')).toBe('closed');
    });

    it('resolves drains of an upstream that left the table, and of an unknown one', async () => {
      const [a, b] = await Promise.all(['a', 'b'].map((id) => harness.upstream(id)));
      await router.apply(table([a!, b!]));
      expect(await harness.served('web', 'prod')).toEqual(['a', 'b']);
      await router.apply(table([b!]));
      await router.drain('a', 30_000, 1_000);
      await router.drain('nope', 30_000);
      expect(await harness.served('web', 'prod')).toEqual(['b']);
    });

    it('closes every listener on close', async () => {
      const a = await harness.upstream('a');
      await router.apply(table([a]));
      await router.apply(table([a], { listener: 'preview' }));
      await router.close();
      expect(await harness.served('web', 'prod')).toBe('closed');
      expect(await harness.served('web', 'prod', 'preview')).toBe('closed');
    });
  });
}
