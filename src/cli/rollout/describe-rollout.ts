import type { Deployment, ServiceStatus } from '../api-types.js';

/** How a rollout is named in messages: `deploy web v2 to prod`, `rollback web to v1 in prod`. */
export function describeRollout(d: Deployment): string {
  return d.kind === 'rollback'
    ? `rollback ${d.service} to ${d.version} in ${d.environment}`
    : `deploy ${d.service} ${d.version} to ${d.environment}`;
}

/**
 * Readiness of a rollout's own instances against the replicas wanted, from `GET /services/:name`.
 *
 * @example readiness(status, d) // '1/2 ready'
 */
export function readiness(status: ServiceStatus, d: Deployment): string {
  const env = status.environments.find((e) => e.environment === d.environment);
  if (!env) return '';
  const own = env.instances.filter((i) => i.deploymentId === d.id);
  const ready = own.filter((i) => i.phase === 'ready').length;
  return `${ready}/${env.replicas} ready`;
}

/**
 * Why each of a rollout's own instances is not ready yet: its last readiness probe result.
 *
 * @example notReady(status, d) // ['web-prod-3: GET /healthz → 404, 3 times']
 */
export function notReady(status: ServiceStatus, d: Deployment): string[] {
  const env = status.environments.find((e) => e.environment === d.environment);
  return (env?.instances ?? [])
    .filter((i) => i.deploymentId === d.id && i.phase !== 'ready' && i.probe !== null)
    .map((i) => `${i.id}: ${i.probe}`);
}
