import type { ApprovalService } from '../approvals/approval-service.js';
import type { GateExecutor } from './gate-executor.js';
import { RunLifecycle, type RunLifecycleOptions } from './run-lifecycle.js';

/**
 * Runs `approval` gates (a canary's `- approval: {...}` step): a run that waits for people. It
 * asks the approvals feature for the step's approval (the pending one again after a restart) and
 * ends with the approval: Successful when approved or expired with `onExpiry: proceed`, Failed
 * when rejected or expired with `reject` (the rollout then aborts). `ferry rollout promote`
 * does not pass it; only the approval does.
 */
export function approvalExecutor(
  options: Omit<RunLifecycleOptions, 'label'> & { readonly approvals: ApprovalService },
): GateExecutor<'approval'> & { close(): Promise<void> } {
  const lifecycle = new RunLifecycle<{ readonly id: string }>({
    ...options,
    label: 'approval gate',
  });
  /** The run each approval ends, by approval id. */
  const runs = new Map<string, string>();
  options.approvals.onGateSettled(async (approval, settlement, message) => {
    const runId = runs.get(approval.id);
    runs.delete(approval.id);
    if (runId === undefined || lifecycle.release(runId) === undefined) return;
    await lifecycle.finish(
      runId,
      settlement.outcome === 'proceed' ? 'Successful' : 'Failed',
      message,
    );
  });
  const stop = async (runId: string): Promise<'Running' | undefined> => {
    if (lifecycle.release(runId) === undefined) return undefined;
    for (const [approvalId, run] of runs) if (run === runId) runs.delete(approvalId);
    await lifecycle.abandon(runId, 'Running', 'stopped before the approval was settled');
    return 'Running';
  };
  return {
    kind: 'approval',
    async start(deployment, gate) {
      const run = await lifecycle.create(
        { deploymentId: deployment.id, name: gate.name },
        (id) => ({ id }),
      );
      const approval = await options.approvals.requestForGate(
        deployment,
        gate.name,
        gate.requirement,
      );
      runs.set(approval.id, run.id);
      return run.id;
    },
    stop: (runId) => stop(runId),
    deadlineMs: () => null,
    measuresAgain: () => false,
    close: () => lifecycle.close(stop),
  };
}
