import type { GateExecutor } from './gate-executor.js';
import { RunLifecycle, type RunLifecycleOptions } from './run-lifecycle.js';

/**
 * The actor of the controller's own override, after `inconclusive.timeout`: it acknowledges an
 * Inconclusive verdict, and never stands in for a person.
 */
const controllerActor = 'controller';

/**
 * Runs `manual` gates: a run that waits for a person. It has no timer and no verdict of its own;
 * it passes only when a person promotes the rollout (recorded as Successful, overridden by that
 * person), and is abandoned when the rollout ends or moves on without one.
 *
 * @example
 * const executor = manualExecutor({ store, scheduler, onFinished });
 * const runId = await executor.start(deployment, { kind: 'manual', name: 'approve-3' }, stepOf);
 * await executor.promote?.(runId, 'user:ana'); // true: the gate passed
 */
export function manualExecutor(
  options: Omit<RunLifecycleOptions, 'label'>,
): GateExecutor<'manual'> & { close(): Promise<void> } {
  const lifecycle = new RunLifecycle<{ readonly id: string }>({ ...options, label: 'manual gate' });
  const stop = async (runId: string): Promise<'Running' | undefined> => {
    if (lifecycle.release(runId) === undefined) return undefined;
    await lifecycle.abandon(runId, 'Running', 'stopped before a person promoted the rollout');
    return 'Running';
  };
  return {
    kind: 'manual',
    async start(deployment, gate) {
      const run = await lifecycle.create(
        { deploymentId: deployment.id, name: gate.name },
        (id) => ({ id }),
      );
      return run.id;
    },
    // Ending the rollout is no promote: the run ends without a verdict either way.
    stop: (runId) => stop(runId),
    deadlineMs: () => null,
    measuresAgain: () => false,
    async promote(runId, actor) {
      if (actor === controllerActor) return false;
      if (lifecycle.release(runId) === undefined) return false;
      await options.store.overrideRun(runId, actor);
      await lifecycle.finish(runId, 'Successful', `promoted by ${actor}`);
      return true;
    },
    close: () => lifecycle.close(stop),
  };
}
