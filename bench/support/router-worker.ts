// Child process entry: Ferry's router with two listeners, `bench` (stable only) and `split`
// (90/10 between stable and canary). Env: UPSTREAM_PORT, CANARY_PORT, ROUTER_METRICS (`0` turns
// metrics off). Answers `{ port, splitPort }` over IPC once listening, and its CPU time to each
// `'cpu'` message; exits on SIGTERM or when the bench process goes away.
import { Registry } from 'prom-client';
import type { Upstream } from '../../src/features/routing/traffic-router.js';
import { Router } from '../../src/traffic/router/router.js';
import { createRouterMetrics } from '../../src/traffic/router/router-metrics.js';

export interface RouterWorkerReady {
  readonly port: number;
  readonly splitPort: number;
}

/** User plus system CPU time the router process used so far, in microseconds. */
export interface RouterWorkerCpu {
  readonly cpuMicros: number;
}

const upstream = (id: string, port: string | undefined, version: string): Upstream => ({
  id,
  host: '127.0.0.1',
  port: Number(port),
  version,
});
const stable = upstream('hello-1', process.env.UPSTREAM_PORT, 'stable');
const canary = upstream('hello-2', process.env.CANARY_PORT, 'canary');
const metrics =
  process.env.ROUTER_METRICS === '0' ? undefined : createRouterMetrics(new Registry());
const router = new Router({ metrics });
const listen = { host: '127.0.0.1', port: 0 };
await router.apply({
  service: 'bench',
  environment: 'bench',
  listen,
  backends: { stable: [stable] },
});
await router.apply({
  service: 'split',
  environment: 'bench',
  listen,
  backends: { stable: [stable], canary: [canary] },
  canaryWeight: 10,
});
const ready: RouterWorkerReady = {
  port: router.address('bench', 'bench')?.port ?? 0,
  splitPort: router.address('split', 'bench')?.port ?? 0,
};
process.send?.(ready);
process.on('message', (message) => {
  if (message !== 'cpu') return;
  const { user, system } = process.cpuUsage();
  const cpu: RouterWorkerCpu = { cpuMicros: user + system };
  process.send?.(cpu);
});
const stop = () => void router.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('disconnect', stop);
