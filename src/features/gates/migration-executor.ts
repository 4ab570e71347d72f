import type { Deployment } from '../deployments/domain/deployment.js';
import type { ExpandVerdict } from '../migrations/run-expand-migrations.js';
import type { GateExecutor } from './gate-executor.js';
import { describeError, RunLifecycle, type RunLifecycleOptions } from './run-lifecycle.js';

/**
 * Runs `migration` gates: a release's pending expand migrations, before its rollout starts
 * anything (`reconcileMigrations` opens the gate). The run ends with the migrations: Successful
 * when every pending one applied (or none was pending), Failed with the file and the lock or
 * blocking query when one did not, Error when the database could not be reached. A promote does
 * not pass it and time does not end it: PostgreSQL's own timeouts bound it. Stopping the run
 * (the deployment was superseded or aborted) cannot stop a statement under way; each file is its
 * own transaction, and a later run finds what was applied in the history table.
 */
export function migrationExecutor(
  options: Omit<RunLifecycleOptions, 'label'> & {
    /** Applies the deployment's pending expand migrations (`runExpandMigrations`). */
    readonly run: (deployment: Deployment) => Promise<ExpandVerdict>;
  },
): GateExecutor<'migration'> & { close(): Promise<void>; settle(): Promise<void> } {
  const lifecycle = new RunLifecycle<{ readonly id: string }>({
    ...options,
    label: 'migration gate',
  });
  const stop = async (runId: string): Promise<'Running' | undefined> => {
    if (lifecycle.release(runId) === undefined) return undefined;
    await lifecycle.abandon(
      runId,
      'Running',
      'stopped before the migrations ended; the next run starts from the history table',
    );
    return 'Running';
  };
  return {
    kind: 'migration',
    async start(deployment, gate) {
      const run = await lifecycle.create(
        { deploymentId: deployment.id, name: gate.name },
        (id) => ({ id }),
      );
      const work = options.run(deployment).then(async (verdict) => {
        if (lifecycle.release(run.id) === undefined) return;
        await lifecycle.finish(run.id, verdict.phase, verdict.message);
      });
      lifecycle.track(run.id, work, async (error) => {
        if (lifecycle.release(run.id) === undefined) return lifecycle.report(error, run.id);
        await lifecycle.finish(
          run.id,
          'Error',
          `migrations could not run: ${describeError(error)}`,
        );
      });
      return run.id;
    },
    stop: (runId) => stop(runId),
    deadlineMs: () => null,
    measuresAgain: () => false,
    close: () => lifecycle.close(stop),
    settle: () => lifecycle.settle(),
  };
}
