import type { InstanceRuntime } from '../instances/instance-runtime.js';
import type { InstanceStore } from '../instances/instance-store.js';
import type { HealthCheck } from './promotion-service.js';

/**
 * Healthy when at least the live deployment's replica count of its instances are running and
 * ready, as the runtime sees them now; otherwise says how many are.
 */
export function instanceHealth(instances: InstanceStore, runtime: InstanceRuntime): HealthCheck {
  return async (target, live) => {
    const running = (await instances.listLive(target)).filter(
      (i) => i.intent === 'running' && i.artifactDigest === live.artifactDigest,
    );
    const ready = running.filter((i) => runtime.get(i.id)?.phase === 'ready').length;
    const wanted = live.spec.replicas;
    if (ready >= wanted) return undefined;
    return `${ready} of ${wanted} instances of ${live.version} ready`;
  };
}
