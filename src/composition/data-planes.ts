import { join } from 'node:path';
import type { DataPlaneKind, EnvironmentConfig, FerryConfig } from '../config/ferry-config.js';
import type {
  ListenerFiguresOf,
  ListenerKind,
  RoutingTable,
  TrafficRouter,
} from '../features/routing/traffic-router.js';
import { noFigures } from '../features/routing/traffic-router.js';
import { HaproxyDataPlane } from '../traffic/haproxy/haproxy-data-plane.js';

/** One data plane as the composition sees it: its router, its figures, which upstreams it holds. */
export interface DataPlane {
  readonly router: TrafficRouter;
  readonly figures?: ListenerFiguresOf;
  /** Whether a drain of this upstream is its business; unknown: ask it anyway. */
  readonly holds?: (upstreamId: string) => boolean;
}

/**
 * A {@link TrafficRouter} over several data planes: each table and `remove` go to the data plane
 * of their environment (ferry.yaml `environments[].dataPlane`), a drain to the planes that hold
 * the upstream, `close` to all; figures are read from the environment's plane.
 */
export function dispatchByEnvironment(
  config: { readonly environments: readonly Pick<EnvironmentConfig, 'name' | 'dataPlane'>[] },
  planes: Readonly<Partial<Record<DataPlaneKind, DataPlane>>>,
): { readonly router: TrafficRouter; readonly routeFigures: ListenerFiguresOf } {
  const planeOf = (environment: string): DataPlane => {
    const kind = config.environments.find((e) => e.name === environment)?.dataPlane ?? 'ferry';
    const plane = planes[kind];
    if (plane === undefined)
      throw new Error(`no ${kind} data plane for environment ${environment}`);
    return plane;
  };
  const all = Object.values(planes).filter((p): p is DataPlane => p !== undefined);
  const router: TrafficRouter = {
    apply: (table: RoutingTable) => planeOf(table.environment).router.apply(table),
    async drain(upstreamId, timeoutMs, tunnelsMs) {
      const holders = all.filter((p) => p.holds?.(upstreamId) ?? true);
      await Promise.all(holders.map((p) => p.router.drain(upstreamId, timeoutMs, tunnelsMs)));
    },
    remove: (service: string, environment: string, listener?: ListenerKind) =>
      planeOf(environment).router.remove(service, environment, listener),
    async close() {
      await Promise.all(all.map((p) => p.router.close()));
    },
  };
  const routeFigures: ListenerFiguresOf = (service, environment, listener) =>
    planeOf(environment).figures?.(service, environment, listener) ?? noFigures;
  return { router, routeFigures };
}

/**
 * The composition's hook for data planes: with no environment on HAProxy, Ferry's router and
 * its figures unchanged; otherwise one {@link HaproxyDataPlane} (in `<data>/haproxy`) for those
 * environments beside Ferry's router for the others.
 */
export function withDataPlanes(
  options: { readonly config: FerryConfig; readonly dataDir: string },
  ferry: { readonly router: TrafficRouter; readonly routeFigures: ListenerFiguresOf },
): { readonly router: TrafficRouter; readonly routeFigures: ListenerFiguresOf } {
  const { config } = options;
  if (!config.environments.some((e) => e.dataPlane === 'haproxy')) return ferry;
  const haproxy = new HaproxyDataPlane({
    dir: join(options.dataDir, 'haproxy'),
    settings: { ...config.router.timeouts, trustedProxies: config.router.trustedProxies },
  });
  return dispatchByEnvironment(config, {
    ferry: { router: ferry.router, figures: ferry.routeFigures },
    haproxy: {
      router: haproxy,
      figures: (service, environment, listener) => haproxy.figures(service, environment, listener),
      holds: (id) => haproxy.holds(id),
    },
  });
}
