import type { StartJudge } from '../analysis/judge-runner.js';
import type { GateExecutor, RunControl } from './gate-executor.js';

/** How long past its window a judge may take to record its verdict before it is ended. */
export const judgeGraceMs = 30_000;

/**
 * Runs `judge` gates with `JudgeRunner`: the canary compared with its baseline over the step's
 * window. The judge ends itself after its window; past that and a grace, it is ended from outside.
 */
export function judgeExecutor(runs: RunControl<StartJudge>): GateExecutor<'judge'> {
  return {
    kind: 'judge',
    start: (deployment, gate, stepOf) =>
      runs.start({
        deploymentId: deployment.id,
        name: gate.name,
        service: deployment.service,
        environment: deployment.environment,
        canaryVersion: gate.canaryVersion,
        baselineVersion: gate.baselineVersion,
        judge: gate.judge,
        durationMs: gate.durationMs,
        intervalMs: gate.intervalMs,
        stepOf,
      }),
    stop: (runId, options) => runs.stop(runId, options),
    deadlineMs: (gate) => gate.durationMs + judgeGraceMs,
    measuresAgain: () => false,
  };
}
