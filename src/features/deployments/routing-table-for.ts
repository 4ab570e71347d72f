import type { CanaryConfig, ServiceConfig } from '../../config/ferry-config.js';
import type { RoutingTable, Upstream } from '../routing/traffic-router.js';
import type { Deployment } from './domain/deployment.js';
import type { RolloutRouting } from './domain/rollout-plan.js';

/**
 * The routing table of a service/environment during a rolling update: every ready instance,
 * whatever its version, on the stable track. Listens where the target's spec says.
 */
export function routingTableFor(
  latest: Deployment,
  upstreams: readonly Upstream[],
  spec: ServiceConfig = latest.spec,
): RoutingTable {
  return {
    service: latest.service,
    environment: latest.environment,
    listen: listenOf(latest, spec),
    backends: { stable: sorted(upstreams) },
  };
}

/**
 * The tables of a canary (one listener, split by weight, matches and mirror) or a blue-green
 * (the route on one set, and the preview route on the new set while it is previewed).
 */
export function twoVersionTables(
  latest: Deployment,
  routing: RolloutRouting,
  stable: readonly Upstream[],
  canary: readonly Upstream[],
  baseline: readonly Upstream[] = [],
): { main: RoutingTable; preview: RoutingTable | null } {
  const base = {
    service: latest.service,
    environment: latest.environment,
    listen: listenOf(latest, latest.spec),
  };
  if (routing.kind === 'canary') {
    const strategy = latest.spec.strategy;
    const sticky = strategy.kind === 'canary' ? stickyOf(strategy.canary.stickySession) : null;
    return {
      main: {
        ...base,
        backends: {
          stable: sorted(stable),
          canary: sorted(canary),
          ...(baseline.length > 0 ? { baseline: sorted(baseline) } : {}),
        },
        canaryWeight: routing.traffic.weight,
        ...(routing.traffic.baselineWeight
          ? { baselineWeight: routing.traffic.baselineWeight }
          : {}),
        canaryMatches: routing.traffic.matches,
        mirrorPercent: routing.traffic.mirrorPercent,
        sticky,
      },
      preview: null,
    };
  }
  const main = {
    ...base,
    backends: { stable: sorted(routing.active === 'stable' ? stable : canary) },
  };
  const strategy = latest.spec.strategy;
  const previewListen =
    strategy.kind === 'blueGreen'
      ? strategy.blueGreen.previewRoutes[latest.environment]
      : undefined;
  const preview =
    routing.preview && previewListen
      ? {
          ...base,
          listener: 'preview' as const,
          listen: previewListen,
          backends: { stable: sorted(canary) },
        }
      : null;
  return { main, preview };
}

/** The table's sticky cookie; Max-Age is in whole seconds, and absent for a session cookie. */
function stickyOf(session: CanaryConfig['stickySession']): RoutingTable['sticky'] {
  if (session === null) return null;
  const maxAgeMs = session.maxAgeMs;
  return maxAgeMs == null
    ? { cookie: session.cookie }
    : { cookie: session.cookie, maxAgeSeconds: Math.floor(maxAgeMs / 1_000) };
}

function listenOf(latest: Deployment, spec: ServiceConfig) {
  const listen = spec.routes[latest.environment] ?? latest.spec.routes[latest.environment];
  if (!listen) throw new Error(`service ${latest.service} has no route for ${latest.environment}`);
  return listen;
}

function sorted(upstreams: readonly Upstream[]): Upstream[] {
  return [...upstreams].sort((a, b) => (a.id < b.id ? -1 : 1));
}
