import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  describeTrafficRouterContract,
  type RouterHarness,
} from '../../features/routing/traffic-router.contract.js';
import type {
  ListenerKind,
  RoutingTable,
  TrafficRouter,
  Upstream,
} from '../../features/routing/traffic-router.js';
import { allocatePort } from '../../runtime/local/free-port.js';
import {
  json,
  send,
  servedAt,
  sendMany,
  startUpstream,
  withVersion,
  type Echo,
} from '../router/test-upstreams.js';
import type { HaproxySettings } from './haproxy-config.js';
import { HaproxyDataPlane } from './haproxy-data-plane.js';
import { HaproxyProcess } from './haproxy-process.js';
import { requireHaproxy } from './require-haproxy.js';

const settings = { headersMs: 10_000, idleMs: 60_000 };
/** Requests per look at a listener: round-robin reaches each of up to 8 stable upstreams. */
const requestsPerLook = 8;

async function openPlane(
  over: Partial<HaproxySettings> = {},
): Promise<{ plane: HaproxyDataPlane; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-haproxy-'));
  const plane = new HaproxyDataPlane({
    dir: join(dir, 'haproxy'),
    settings: { ...settings, ...over },
  });
  await plane.ready();
  return { plane, dir };
}

if (requireHaproxy()) {
  describeTrafficRouterContract('HAProxy data plane', async (): Promise<RouterHarness> => {
    const { plane, dir } = await openPlane();
    const closers: (() => Promise<void>)[] = [];
    const ports = new Map<string, number>();
    const keyOf = (service: string, environment: string, listener?: ListenerKind) =>
      `${service}/${environment}/${listener ?? 'main'}`;
    // `close` detaches and leaves HAProxy serving; the contract's close is the plane's stop.
    const router: TrafficRouter = {
      async apply(table) {
        await plane.apply(table);
        const port = plane.address(table.service, table.environment, table.listener)?.port;
        if (port !== undefined)
          ports.set(keyOf(table.service, table.environment, table.listener), port);
      },
      drain: (id, timeoutMs, tunnelsMs) => plane.drain(id, timeoutMs, tunnelsMs),
      remove: (service, environment, listener) => plane.remove(service, environment, listener),
      close: () => plane.stop(),
    };
    return {
      router,
      async upstream(id) {
        const started = await startUpstream(id);
        closers.push(() => started.close());
        return started.upstream;
      },
      freePort: () => allocatePort(),
      async served(service, environment, listener) {
        const port = ports.get(keyOf(service, environment, listener));
        if (port === undefined) return 'closed';
        return servedAt(port, requestsPerLook);
      },
      async close() {
        await plane.stop();
        for (const close of closers.splice(0)) await close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  });

  describe('HAProxy data plane', () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    async function setup(ids: readonly string[], over: Partial<HaproxySettings> = {}) {
      const { plane, dir } = await openPlane(over);
      cleanups.push(
        () => rm(dir, { recursive: true, force: true }),
        () => plane.stop(),
      );
      const upstreams: Upstream[] = [];
      for (const id of ids) {
        const started = await startUpstream(id);
        cleanups.push(() => started.close());
        upstreams.push(started.upstream);
      }
      return { plane, dir, upstreams };
    }

    const table = (over: Partial<RoutingTable>): RoutingTable => ({
      service: 'web',
      environment: 'prod',
      listen: { host: '127.0.0.1', port: 0 },
      backends: {},
      ...over,
    });

    it('splits by canary and baseline weight, measured by the answers, and counts per track', async () => {
      const { plane, upstreams } = await setup(['s1', 's2', 'c1', 'b1']);
      const [s1, s2, c1, b1] = upstreams as [Upstream, Upstream, Upstream, Upstream];
      const canary = withVersion(c1, '2.0.0');
      await plane.apply(
        table({
          backends: { stable: [s1, s2], canary: [canary], baseline: [b1] },
          canaryWeight: 20,
          baselineWeight: 10,
        }),
      );
      const port = plane.address('web', 'prod')!.port;
      const responses = await sendMany(port, 1_000);
      const ids = responses.map((r) => json<Echo>(r).id);
      const share = (id: string) => ids.filter((x) => x === id).length / ids.length;
      expect(share('c1')).toBeCloseTo(0.2, 1);
      expect(share('b1')).toBeCloseTo(0.1, 1);
      expect(share('s1') + share('s2')).toBeCloseTo(0.7, 1);
      const figures = await plane.figures('web', 'prod');
      expect(figures.tracks.canary).toMatchObject({
        version: '2.0.0',
        requests: share('c1') * 1_000,
        errors5xx: 0,
      });
      expect(figures.tracks.stable).toMatchObject({
        version: '1.0.0',
        requests: (share('s1') + share('s2')) * 1_000,
      });
      expect(figures.tracks.baseline).toMatchObject({
        version: '1.0.0',
        requests: share('b1') * 1_000,
      });
    });

    it('drains an upstream that left the table only once its request in flight is answered', async () => {
      const { plane, upstreams } = await setup(['b']);
      let release: () => void = () => undefined;
      const slow = await startUpstream('a', (req, res) => {
        release = () =>
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"a"}');
      });
      cleanups.push(() => slow.close());
      await plane.apply(table({ backends: { stable: [slow.upstream] } }));
      const port = plane.address('web', 'prod')!.port;
      const inFlight = send(port);
      await eventuallyTrue(async () => (await slow.connections()) > 0);
      await plane.apply(table({ backends: { stable: upstreams } }));
      let drained = false;
      const drain = plane.drain('a', 30_000).then(() => (drained = true));
      await sleep(300);
      expect(drained).toBe(false);
      expect(json<Echo>(await send(port)).id).toBe('b');
      release();
      expect((await inFlight).status).toBe(200);
      await drain;
      expect(plane.holds('a')).toBe(false);
    });

    it('refuses a port another process holds, and keeps its listeners serving', async () => {
      const { plane, upstreams } = await setup(['a']);
      await plane.apply(table({ backends: { stable: upstreams } }));
      const holder = await startUpstream('other');
      cleanups.push(() => holder.close());
      const listen = { host: '127.0.0.1', port: holder.upstream.port };
      await expect(
        plane.apply(table({ service: 'api', listen, backends: { stable: upstreams } })),
      ).rejects.toMatchObject({ code: 'conflict' });
      expect(json<Echo>(await send(plane.address('web', 'prod')!.port)).id).toBe('a');
      expect(plane.address('api', 'prod')).toBeUndefined();
    });

    it('replaces the forwarded headers of a client that is not a trusted proxy', async () => {
      const trustedProxies = [{ address: '10.0.0.0', prefix: 8 }];
      const { plane, upstreams } = await setup(['a'], { trustedProxies });
      await plane.apply(table({ backends: { stable: upstreams } }));
      const port = plane.address('web', 'prod')!.port;
      const headers = [
        'host',
        'example.test',
        'x-forwarded-for',
        '6.6.6.6',
        'x-forwarded-proto',
        'https',
      ];
      const echo = json<Echo>(await send(port, { headers }));
      expect(echo.headers['x-forwarded-for']).toBe('127.0.0.1');
      expect(echo.headers['x-forwarded-proto']).toBe('http');
      expect(echo.headers['x-forwarded-host']).toBe('example.test');
    });

    it('tunnels an upgraded connection, and a drain closes it after tunnelsMs', async () => {
      const { plane, upstreams } = await setup(['b']);
      const tunnelled = await startUpstream('a');
      cleanups.push(() => tunnelled.close());
      tunnelled.server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
        socket.write(
          'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n',
        );
        socket.pipe(socket);
      });
      await plane.apply(table({ backends: { stable: [tunnelled.upstream] } }));
      const port = plane.address('web', 'prod')!.port;
      const socket = await new Promise<Duplex>((resolve, reject) => {
        const req = httpRequest({
          host: '127.0.0.1',
          port,
          headers: { connection: 'Upgrade', upgrade: 'echo' },
        });
        req.on('upgrade', (_res, upgraded: Duplex) => resolve(upgraded));
        req.on('error', reject);
        req.end();
      });
      cleanups.push(async () => void socket.destroy());
      const echoed = new Promise<string>((resolve) =>
        socket.once('data', (d: Buffer) => resolve(d.toString())),
      );
      socket.write('ping');
      expect(await echoed).toBe('ping');
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      await plane.apply(table({ backends: { stable: upstreams } }));
      await plane.drain('a', 30_000, 200);
      await closed;
      expect(plane.holds('a')).toBe(false);
    });

    it('is adopted by a new plane on the same folder, serving throughout, counts carried on', async () => {
      const { plane, dir, upstreams } = await setup(['a', 'b']);
      const [a, b] = upstreams as [Upstream, Upstream];
      await plane.apply(table({ backends: { stable: [a] } }));
      const port = plane.address('web', 'prod')!.port;
      await sendMany(port, 10);
      await plane.close();
      expect((await send(port)).status).toBe(200);
      const adopter = new HaproxyDataPlane({ dir: join(dir, 'haproxy'), settings });
      await adopter.ready();
      expect((await adopter.figures('web', 'prod')).tracks.stable?.requests).toBe(11);
      await adopter.apply(table({ backends: { stable: [b] } }));
      expect(adopter.address('web', 'prod')!.port).toBe(port);
      const ids = (await sendMany(port, 8)).map((r) => json<Echo>(r).id);
      expect(new Set(ids)).toEqual(new Set(['b']));
      await adopter.drain('a', 5_000);
      expect(await HaproxyProcess.find(adopter.paths)).toBeDefined();
    });

    it('takes back the idle slots of leavers nobody drained rather than reload', async () => {
      const ids = Array.from({ length: 16 }, (_, i) => `u${i}`);
      const { plane, upstreams } = await setup(ids);
      await plane.apply(table({ backends: { stable: upstreams.slice(0, 8) } }));
      const reloads = (await HaproxyProcess.processList(plane.paths))!.reloads;
      // u0–u3 leave the table and are never drained; u8–u11 then need their slots.
      await plane.apply(table({ backends: { stable: upstreams.slice(4, 8) } }));
      await plane.apply(table({ backends: { stable: upstreams.slice(4, 12) } }));
      expect((await HaproxyProcess.processList(plane.paths))!.reloads).toBe(reloads);
      const port = plane.address('web', 'prod')!.port;
      const seen = new Set((await sendMany(port, 32)).map((r) => json<Echo>(r).id));
      expect(seen).toEqual(new Set(ids.slice(4, 12)));
    });

    it('grows a backend past its slots with a reload, refusing no request meanwhile', async () => {
      const ids = Array.from({ length: 12 }, (_, i) => `u${i}`);
      const { plane, upstreams } = await setup(ids);
      await plane.apply(table({ backends: { stable: upstreams.slice(0, 2) } }));
      const port = plane.address('web', 'prod')!.port;
      const load = sendMany(port, 3_000, () => ({}), 8);
      await plane.apply(table({ backends: { stable: upstreams } }));
      const statuses = (await load).map((r) => r.status);
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      const seen = new Set((await sendMany(port, 48)).map((r) => json<Echo>(r).id));
      expect(seen).toEqual(new Set(ids));
    });
  });
}

async function eventuallyTrue(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(20)) {
    if (await check()) return;
  }
  throw new Error('condition not met in time');
}

describe('HAProxy data plane without HAProxy', () => {
  it('says which binary is missing and how to install it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-haproxy-'));
    const plane = new HaproxyDataPlane({ dir, settings, binary: join(dir, 'no-haproxy') });
    await expect(plane.ready()).rejects.toThrow(/no-haproxy not found; install HAProxy 2.6/);
    await rm(dir, { recursive: true, force: true });
  });
});
