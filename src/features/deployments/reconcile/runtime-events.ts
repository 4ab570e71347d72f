import type { RuntimeEvent } from '../../instances/instance-runtime.js';
import type { StoredInstance } from '../../instances/instance.js';
import type { InstanceFailure } from '../domain/conditions.js';
import type { ReconcileEnv } from './reconcile-env.js';

/** What the controller does with a failure it learns outside a reconcile. */
export type RecordFailure = (instance: StoredInstance, failure: InstanceFailure) => Promise<void>;

/**
 * A runtime event: recorded on the instance and in the event log; readiness changes re-sync the
 * router and count as progress; a crash loop is recorded as a condition of the rollout that runs
 * the crash-looping artifact, for the next reconcile to act on.
 */
export async function onRuntimeEvent(
  env: ReconcileEnv,
  event: RuntimeEvent,
  progressed: (instance: StoredInstance) => Promise<void>,
  recordFailure: RecordFailure,
): Promise<void> {
  const { deps } = env;
  const { status } = event;
  const id = status.spec.instanceId;
  const now = new Date(deps.clock.now()).toISOString();
  const { kind, status: _status, ...details } = event;
  if (kind === 'instance.started' || kind === 'instance.adopted') {
    const stored = await deps.instances.get(id);
    if (stored && stored.intent !== 'stopped') {
      await deps.instances.update(id, {
        record: status.record,
        restarts: status.restarts,
        updatedAt: now,
      });
    }
  }
  await deps.events.append({
    actor: 'runtime',
    kind,
    subject: `instance/${id}`,
    payload: {
      service: status.spec.service,
      environment: status.spec.environment,
      version: status.spec.version,
      ...deps.runtime.describe?.(status.record),
      port: status.record.port,
      restarts: status.restarts,
      ...details,
    },
  });
  const stored = await deps.instances.get(id);
  if (stored && (kind === 'instance.ready' || kind === 'instance.unready')) {
    await env.routerSync.sync(stored);
  }
  if (stored && kind === 'instance.ready') await progressed(stored);
  if (stored && kind === 'instance.crash_loop') {
    await recordFailure(stored, { kind: 'crashLoop', instanceId: id, restarts: status.restarts });
  }
}
