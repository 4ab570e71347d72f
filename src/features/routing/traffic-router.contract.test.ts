import { allocatePort } from '../../runtime/local/free-port.js';
import { Router } from '../../traffic/router/router.js';
import { servedAt, startUpstream } from '../../traffic/router/test-upstreams.js';
import { FakeTrafficRouter } from './fake-traffic-router.js';
import type { ListenerKind, TrafficRouter } from './traffic-router.js';
import { describeTrafficRouterContract, type RouterHarness } from './traffic-router.contract.js';

describeTrafficRouterContract('in-memory fake', async (): Promise<RouterHarness> => {
  const router = new FakeTrafficRouter();
  let ports = 20_000;
  return {
    router,
    upstream: async (id) => ({ id, host: '127.0.0.1', port: ports++, version: '1.0.0' }),
    freePort: async () => ports++,
    async served(service, environment, listener) {
      if (!router.tableOf(service, environment, listener)) return 'closed';
      return router.upstreamsOf(service, environment, 'stable', listener).sort();
    },
    close: () => router.close(),
  };
});

/** Requests per look at a listener: round-robin reaches each of up to 8 stable upstreams. */
const requestsPerLook = 8;

describeTrafficRouterContract('built-in router', async (): Promise<RouterHarness> => {
  const real = new Router({ closeGraceMs: 100 });
  const closers: (() => Promise<void>)[] = [];
  /** Where each listener was bound, kept after it closes: a client still knocks there. */
  const ports = new Map<string, number>();
  const keyOf = (service: string, environment: string, listener?: ListenerKind) =>
    `${service}/${environment}/${listener ?? 'main'}`;
  const router: TrafficRouter = {
    async apply(table) {
      await real.apply(table);
      const port = real.address(table.service, table.environment, table.listener)?.port;
      if (port !== undefined)
        ports.set(keyOf(table.service, table.environment, table.listener), port);
    },
    drain: (id, timeoutMs, tunnelsMs) => real.drain(id, timeoutMs, tunnelsMs),
    remove: (service, environment, listener) => real.remove(service, environment, listener),
    close: () => real.close(),
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
      await real.close();
      for (const close of closers.splice(0)) await close();
    },
  };
});
