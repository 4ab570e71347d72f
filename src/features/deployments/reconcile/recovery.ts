import type { StoredInstance } from '../../instances/instance.js';
import type { ControllerDeps } from './controller-deps.js';
import type { InstanceActuator } from './instance-actuator.js';

/**
 * What a starting controller does before its first reconcile: instances an earlier server left
 * are re-adopted from their records; those that never got a process, or whose process is gone,
 * are marked stopped (the reconciles replace them).
 */
export async function recover(deps: ControllerDeps, actuator: InstanceActuator): Promise<void> {
  const live = await deps.instances.listLive();
  const withProcess = live.filter((i) => i.record !== null);
  for (const orphan of live.filter((i) => i.record === null)) {
    await actuator.markStopped(orphan, 'never started: the server stopped while launching it');
  }
  const { lost } = await deps.runtime.adopt(
    withProcess.map((i) => ({ spec: i.spec, record: i.record! })),
  );
  for (const id of lost) {
    const instance = withProcess.find((i) => i.id === id);
    if (instance) await actuator.markStopped(instance, 'process gone after server restart');
  }
  await settleAdopted(
    deps,
    withProcess.filter((i) => !lost.includes(i.id)),
  );
  // Their `instance.ready` events put them back into the routers: only then is the server
  // ready, or the first requests after /readyz find a route not listening yet.
  await actuator.settled();
}

/**
 * Adopted instances start unprobed. Give each the time of its readiness checks to show it is
 * ready, so the first reconcile neither stops healthy old instances nor routes to nothing.
 */
async function settleAdopted(
  deps: ControllerDeps,
  adopted: readonly StoredInstance[],
): Promise<void> {
  const budget = Math.max(
    0,
    ...adopted.map(
      ({ spec: { readiness: r } }) =>
        r.initialDelayMs + (r.intervalMs + r.timeoutMs) * r.successThreshold,
    ),
  );
  const deadline = deps.clock.now() + Math.min(budget, 15_000);
  const unsettled = () => adopted.some((i) => deps.runtime.get(i.id)?.phase === 'starting');
  while (unsettled() && deps.clock.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
