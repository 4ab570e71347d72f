import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ListenerKind,
  RoutingTable,
  TrafficRouter,
  Upstream,
} from '../../features/routing/traffic-router.js';
import {
  describeTrafficRouterContract,
  type RouterHarness,
} from '../../features/routing/traffic-router.contract.js';
import {
  describeTrafficSamplerContract,
  sampledVersions,
} from '../../features/routing/traffic-sampler.contract.js';
import { allocatePort } from '../../runtime/local/free-port.js';
import {
  removeDataDir,
  startTestRouter,
  type TestRouter,
} from '../router-process/test-router-process.js';
import {
  send,
  servedAt,
  startUpstream,
  withVersion,
  type TestUpstream,
} from '../router/test-upstreams.js';
import type { RemoteRouter } from './remote-router.js';

/** One `ferry router` process with 2 workers for the whole file; each test removes its tables. */
let process_: TestRouter;
beforeAll(async () => {
  process_ = await startTestRouter({ workers: 2 });
});
afterAll(async () => {
  await process_?.kill();
  if (process_) removeDataDir(process_.dataDir);
});

const keyOf = (service: string, environment: string, listener?: ListenerKind) =>
  `${service}/${environment}/${listener ?? 'main'}`;

/** Removes every table the router holds: what `close` means for the contract's listeners. */
async function removeAll(remote: RemoteRouter): Promise<void> {
  for (const table of await remote.tables()) {
    await remote.remove(table.service, table.environment, table.listener);
  }
}

/** Requests per look at a listener: round-robin over two workers reaches each of 8 upstreams. */
const requestsPerLook = 16;

describeTrafficRouterContract('router process (2 workers)', async (): Promise<RouterHarness> => {
  const remote = process_.remote;
  const closers: (() => Promise<void>)[] = [];
  /** Where each listener was bound, kept after it closes: a client still knocks there. */
  const ports = new Map<string, number>();
  const router: TrafficRouter = {
    async apply(table) {
      await remote.apply(table);
      const key = keyOf(table.service, table.environment, table.listener);
      const served = (await remote.tables()).find(
        (other) => keyOf(other.service, other.environment, other.listener) === key,
      );
      if (served !== undefined) ports.set(key, served.listen.port);
    },
    drain: (id, timeoutMs, tunnelsMs) => remote.drain(id, timeoutMs, tunnelsMs),
    remove: (service, environment, listener) => remote.remove(service, environment, listener),
    close: () => removeAll(remote),
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
      await removeAll(remote);
      for (const close of closers.splice(0)) await close();
    },
  };
});

describeTrafficSamplerContract('router process (2 workers)', async () => {
  const remote = process_.remote;
  const started = await Promise.all(
    (['stable', 'baseline', 'canary'] as const).map((track) =>
      startUpstream(track, (req, res) => {
        req.resume();
        res.writeHead(Number(req.url?.split('/')[2] ?? 200)).end();
      }),
    ),
  );
  const [stable, baseline, canary] = started.map((s, i) =>
    withVersion(s.upstream, Object.values(sampledVersions)[i]!),
  ) as [Upstream, Upstream, Upstream];
  /** Windows open in the router once their POST landed; serving waits for those. */
  const opening: Promise<void>[] = [];
  return {
    sampler: {
      open(service, environment, options) {
        const window = remote.sampler.open(service, environment, options);
        opening.push(window.opened.catch(() => undefined));
        return window;
      },
    },
    async serve(where, track, statuses) {
      await Promise.all(opening.splice(0));
      const table: RoutingTable = {
        ...where,
        listen: { host: '127.0.0.1', port: 0 },
        backends: { stable: [stable], baseline: [baseline], canary: [canary] },
        baselineWeight: track === 'baseline' ? 100 : 0,
        canaryMatches: [{ source: 'header', name: 'x-canary', kind: 'exact', value: '1' }],
      };
      await remote.apply(table);
      const port = (await remote.tables()).find(
        (other) =>
          keyOf(other.service, other.environment, other.listener) ===
          keyOf(where.service, where.environment, where.listener),
      )!.listen.port;
      const headers = ['Host', 'web', ...(track === 'canary' ? ['X-Canary', '1'] : [])];
      for (const status of statuses) await send(port, { path: `/status/${status}`, headers });
    },
    async close() {
      await removeAll(remote);
      for (const upstream of started) await upstream.close();
    },
  };
});

describe('RemoteRouter figures over 2 workers', () => {
  let upstreams: TestUpstream[] = [];
  afterAll(async () => {
    await removeAll(process_.remote);
    for (const upstream of upstreams) await upstream.close();
  });

  it('counts exactly the requests sent, whichever worker took them, with percentiles of all', async () => {
    const remote = process_.remote;
    upstreams = [await startUpstream('a')];
    await remote.apply({
      service: 'sum',
      environment: 'prod',
      listen: { host: '127.0.0.1', port: 0 },
      backends: { stable: [upstreams[0]!.upstream] },
    });
    const port = (await remote.tables()).find((table) => table.service === 'sum')!.listen.port;
    // A fresh connection per request: the kernel spreads them over both workers.
    const sent = 60;
    await Promise.all(Array.from({ length: sent }, () => send(port)));
    const figures = await remote.figures('sum', 'prod');
    expect(figures.tracks.stable).toMatchObject({ version: '1.0.0', requests: sent, errors5xx: 0 });
    expect(figures.tracks.stable!.p99Ms).toBeGreaterThanOrEqual(figures.tracks.stable!.p50Ms);
    const metrics = await remote.metricsText();
    expect(metrics).toContain(
      `ferry_router_requests_total{service="sum",environment="prod",version="1.0.0",track="stable",code_class="2xx"} ${sent}`,
    );
  });

  it('says which router does not answer', async () => {
    const { RemoteRouter } = await import('./remote-router.js');
    const port = await allocatePort();
    const gone = new RemoteRouter({
      pid: 1,
      control: `http://127.0.0.1:${port}`,
      token: 'x'.repeat(32),
      startedAt: new Date().toISOString(),
    });
    await expect(gone.health()).rejects.toMatchObject({
      code: 'server_unreachable',
      message: expect.stringContaining(`does not answer at http://127.0.0.1:${port}`),
    });
    await gone.close();
  });
});
