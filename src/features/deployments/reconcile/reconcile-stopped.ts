import type { Deployment } from '../domain/deployment.js';
import type { ReconcileEnv, ReconcileStep } from './reconcile-env.js';
import type { Planned } from './rollout-context.js';

/** A service a person stopped: nothing of it runs, its route is closed. Ends the reconcile. */
export const reconcileStopped: ReconcileStep = async (context, env) => {
  if (!context.stopped) return false;
  await haltStopped(env, context.deployment, context.instances);
  return true;
};

/**
 * Retires every instance not already on its way out; the router sync closes the route. Returns
 * the retirements under way, so a caller can wait for them.
 */
export async function haltStopped(
  env: ReconcileEnv,
  latest: Deployment,
  planned: readonly Planned[],
): Promise<Promise<void>[]> {
  const { actuator, routerSync } = env;
  routerSync.forget(latest);
  const stopping = planned.flatMap((p) => {
    const under = actuator.retiring.get(p.instance.id);
    if (under) return [under];
    return actuator.busy.has(p.instance.id) ? [] : [actuator.retireTracked(p.instance)];
  });
  await routerSync.sync(latest);
  return stopping;
}
