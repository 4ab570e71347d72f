import type { ServiceConfig } from '../../config/ferry-config.js';
import type { RoutingTable, Upstream } from '../routing/traffic-router.js';
import type { Deployment } from './domain/deployment.js';

/**
 * The routing table of a service/environment during a rolling update: every ready instance,
 * whatever its version, on the stable track. Listens where the target's spec says.
 */
export function routingTableFor(
  latest: Deployment,
  upstreams: readonly Upstream[],
  spec: ServiceConfig = latest.spec,
): RoutingTable {
  const listen = spec.routes[latest.environment] ?? latest.spec.routes[latest.environment];
  if (!listen) throw new Error(`service ${latest.service} has no route for ${latest.environment}`);
  return {
    service: latest.service,
    environment: latest.environment,
    listen,
    backends: { stable: [...upstreams].sort((a, b) => (a.id < b.id ? -1 : 1)) },
  };
}
