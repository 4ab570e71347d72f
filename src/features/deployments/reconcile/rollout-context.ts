import type { StoredInstance } from '../../instances/instance.js';
import type { Deployment } from '../domain/deployment.js';
import type { PlannedInstance } from '../domain/rolling-plan.js';
import type { SmokeStatus } from '../smoke-checks.js';
import type { ControllerDeps } from './controller-deps.js';
import type { InstanceActuator } from './instance-actuator.js';

/** A live instance with the state the planners see it in. */
export interface Planned {
  readonly instance: StoredInstance;
  readonly planned: PlannedInstance;
}

/**
 * Everything one reconcile of a service/environment acts on, read once up front (as Argo
 * Rollouts' `rolloutContext`): the newest deployment, the one it replaces, the live instances
 * classified, whether a person stopped the service, and the conditions callbacks recorded.
 */
export interface RolloutContext {
  readonly deployment: Deployment;
  /** The deployment it replaces; undefined for a first deployment. */
  readonly previous: Deployment | undefined;
  readonly instances: readonly Planned[];
  /** A person stopped the service (`ferry stop`): nothing of it runs. */
  readonly stopped: boolean;
  /** Epoch ms of this reconcile. */
  readonly now: number;
}

/** Reads the context of `latest`'s service/environment, under its lock. */
export async function readRolloutContext(
  deps: ControllerDeps,
  actuator: InstanceActuator,
  latest: Deployment,
): Promise<RolloutContext> {
  // Re-read under the lock: an API command may have changed it since the listing, or put a newer
  // one in its place (a deploy superseding a rollback ends it Failed, which runs nothing).
  const deployment = (await deps.deployments.list(latest, 1))[0] ?? latest;
  const previous = deployment.previousId
    ? await deps.deployments.get(deployment.previousId)
    : undefined;
  return {
    deployment,
    previous,
    instances: await classify(deps, actuator, deployment),
    stopped: (await deps.stops.get(deployment)) !== undefined,
    now: deps.clock.now(),
  };
}

/** Live instances with their planning state; forgets lost ones, resumes interrupted stops. */
export async function classify(
  deps: ControllerDeps,
  actuator: InstanceActuator,
  latest: Deployment,
): Promise<Planned[]> {
  const live = await deps.instances.listLive(latest);
  const planned: Planned[] = [];
  for (const instance of live) {
    const state = plannedState(deps, actuator, instance, latest);
    if (state === 'lost') {
      await actuator.markStopped(instance, 'process no longer known to the runtime');
      continue;
    }
    if (instance.intent === 'draining' && !actuator.busy.has(instance.id)) {
      actuator.retireTracked(instance);
    }
    planned.push({ instance, planned: { id: instance.id, state } });
  }
  return planned;
}

function plannedState(
  deps: ControllerDeps,
  actuator: InstanceActuator,
  instance: StoredInstance,
  latest: Deployment,
): PlannedInstance['state'] | 'lost' {
  const busy = actuator.busy.has(instance.id);
  if (instance.intent === 'draining') return 'stopping';
  if (instance.intent === 'launching') return busy ? 'pending' : 'lost';
  const status = deps.runtime.get(instance.id);
  if (!status) return busy ? 'pending' : 'lost';
  if (status.phase === 'stopping' || status.phase === 'stopped') return 'stopping';
  if (status.phase !== 'ready') return 'pending';
  // Ready, but no user traffic (nor counting as ready) before its smoke checks passed.
  return smokeOf(deps, instance, latest).state === 'passed' ? 'ready' : 'pending';
}

/**
 * Where an instance's smoke checks stand (the service's `smoke`, as the newest deployment has
 * it); asking starts them once the instance is ready. Passed when there are none to run.
 */
export function smokeOf(
  deps: ControllerDeps,
  instance: StoredInstance,
  latest: Deployment,
): SmokeStatus {
  const checks = latest.spec.smoke;
  const status = deps.runtime.get(instance.id);
  if (!deps.smoke || checks.length === 0) return { state: 'passed' };
  // Only the new version's instances are checked, while it rolls out: instances already
  // serving keep serving (a rollback's too), and one that passed keeps its place after a restart.
  const rollingOut = latest.phase === 'Progressing' || latest.phase === 'Paused';
  const isNew =
    instance.deploymentId === latest.id && instance.artifactDigest === latest.artifactDigest;
  if (!isNew || instance.smokePassedAt) return { state: 'passed' };
  // A rolling update rolling back retires the new version's instances: one that never passed its
  // checks gets no traffic on its way out either.
  if (latest.phase === 'RollingBack') return { state: 'pending' };
  if (!rollingOut) return { state: 'passed' };
  if (!status || status.phase !== 'ready') return { state: 'pending' };
  return deps.smoke.status({
    instanceId: instance.id,
    host: status.record.host,
    port: status.record.port,
    checks,
  });
}
