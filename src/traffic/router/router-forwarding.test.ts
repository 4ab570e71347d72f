import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import type { RoutingTable } from '../../features/routing/traffic-router.js';
import { Router } from './router.js';
import { json, send, startUpstream, withVersion, type Echo } from './test-upstreams.js';
import type { Subnet } from './trusted-proxies.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const loopback: Subnet = { address: '127.0.0.1', prefix: 32, family: 'ipv4' };
const elsewhere: Subnet[] = [
  { address: '10.0.0.0', prefix: 8, family: 'ipv4' },
  { address: '::1', prefix: 128, family: 'ipv6' },
];

/**
 * A router in front of echoing stable (1.0.0) and canary (2.0.0) upstreams, trusting
 * `trustedProxies`; the tests' only peer address is 127.0.0.1.
 */
async function routerWith(
  trustedProxies: readonly Subnet[],
  table: Partial<RoutingTable> = {},
): Promise<number> {
  const [stable, canary] = await Promise.all([startUpstream('stable'), startUpstream('canary')]);
  cleanups.push(
    () => stable.close(),
    () => canary.close(),
  );
  const router = new Router({ trustedProxies });
  cleanups.push(() => router.close());
  await router.apply({
    service: 'web',
    environment: 'test',
    listen: { host: '127.0.0.1', port: 0 },
    backends: { stable: [stable.upstream], canary: [withVersion(canary.upstream, '2.0.0')] },
    ...table,
  });
  return router.address('web', 'test')?.port ?? 0;
}

function hasIpv6(): boolean {
  return Object.values(networkInterfaces()).some((addresses) =>
    addresses?.some((address) => address.family === 'IPv6'),
  );
}

const forwarded = [
  'Host',
  'shop.example',
  'X-Forwarded-For',
  '203.0.113.9',
  'X-Forwarded-Proto',
  'https',
  'X-Forwarded-Host',
  'www.shop.example',
];

describe('Router: trusted proxies', () => {
  it("keeps a trusted proxy's X-Forwarded-* and appends the peer to X-Forwarded-For", async () => {
    const port = await routerWith([...elsewhere, loopback]);

    const seen = json<Echo>(await send(port, { headers: forwarded })).headers;

    expect(seen).toMatchObject({
      'x-forwarded-for': '203.0.113.9, 127.0.0.1',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'www.shop.example',
    });
  });

  it('replaces the X-Forwarded-* of a peer outside every trusted CIDR', async () => {
    const port = await routerWith(elsewhere);

    const seen = json<Echo>(await send(port, { headers: forwarded })).headers;

    expect(seen).toMatchObject({
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'shop.example',
    });
  });

  // A host without IPv6 cannot bind `::`; trusted-proxies.test.ts covers the matching itself.
  it.skipIf(!hasIpv6())(
    'trusts an IPv4 peer seen by a dual-stack listener as ::ffff:127.0.0.1',
    async () => {
      const upstream = await startUpstream('stable');
      cleanups.push(() => upstream.close());
      const router = new Router({ trustedProxies: [loopback] });
      cleanups.push(() => router.close());
      await router.apply({
        service: 'web',
        environment: 'test',
        listen: { host: '::', port: 0 },
        backends: { stable: [upstream.upstream] },
      });
      const port = router.address('web', 'test')?.port ?? 0;

      const seen = json<Echo>(await send(port, { headers: forwarded })).headers;

      expect(seen['x-forwarded-for']).toBe('203.0.113.9, ::ffff:127.0.0.1');
      expect(seen['x-forwarded-proto']).toBe('https');
    },
  );
});

describe('Router: the sticky cookie', () => {
  const sticky = { sticky: { cookie: 'ferry-pin', maxAgeSeconds: 3600 }, canaryWeight: 0 };
  const https = ['Host', 'web', 'X-Forwarded-Proto', 'https'];

  it('is Secure only for HTTPS through a trusted proxy, and has the Max-Age asked for', async () => {
    const trusting = await routerWith([loopback], sticky);
    const distrusting = await routerWith(elsewhere, sticky);
    const pin = 'ferry-pin=1.0.0; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax';

    const viaProxy = await send(trusting, { headers: https });
    const plain = await send(trusting, { headers: ['Host', 'web'] });
    const forged = await send(distrusting, { headers: https });

    expect(viaProxy.headers['set-cookie']).toEqual([`${pin}; Secure`]);
    expect(plain.headers['set-cookie']).toEqual([pin]);
    expect(forged.headers['set-cookie']).toEqual([pin]);
  });

  it('is a session cookie without a max age', async () => {
    const port = await routerWith([], { sticky: { cookie: 'ferry-pin' } });

    const response = await send(port);

    expect(response.headers['set-cookie']).toEqual([
      'ferry-pin=1.0.0; Path=/; HttpOnly; SameSite=Lax',
    ]);
  });

  it('is not set on a request a header or cookie match sent to the canary', async () => {
    const port = await routerWith([], {
      ...sticky,
      canaryMatches: [
        { source: 'header', name: 'x-canary', kind: 'exact', value: 'yes' },
        { source: 'cookie', name: 'beta', kind: 'exact', value: 'on' },
      ],
    });

    const byHeader = await send(port, { headers: ['Host', 'web', 'X-Canary', 'yes'] });
    const byCookie = await send(port, { headers: ['Host', 'web', 'Cookie', 'beta=on'] });
    const pinnedElsewhere = await send(port, {
      headers: ['Host', 'web', 'X-Canary', 'yes', 'Cookie', 'ferry-pin=1.0.0'],
    });

    for (const response of [byHeader, byCookie, pinnedElsewhere]) {
      expect(json<Echo>(response).id).toBe('canary');
      expect(response.headers['set-cookie']).toBeUndefined();
    }
    // The same client without the header follows its pin, or gets one: the match left none.
    const after = await send(port, { headers: ['Host', 'web'] });
    expect(json<Echo>(after).id).toBe('stable');
    expect(after.headers['set-cookie']?.[0]).toMatch(/^ferry-pin=1\.0\.0;/);
  });
});
