import type { AnalysisRun } from '../analysis/analysis-run.js';
import type { RunPhase } from '../analysis/domain/measurement.js';
import type { GateOf } from '../deployments/domain/analysis-gates.js';
import type { Deployment } from '../deployments/domain/deployment.js';
import type { GateKind } from './domain/gate-kinds.js';

/** What starts and stops runs: `AnalysisRunner` for analysis, `JudgeRunner` for the judge. */
export interface RunControl<R> {
  start(request: R): Promise<string>;
  stop(runId: string, options: { readonly terminating: boolean }): Promise<RunPhase | undefined>;
}

/**
 * Runs the gates of one kind. `RolloutAnalysis` keeps the runs in line with what a rollout asks
 * for and reads their verdicts from the store; an executor only starts a run of its kind, ends
 * it, and says how its kind differs: when a run is ended from outside, whether a verdict is
 * followed by a fresh run, and whether a promote passes a run that is still going.
 */
export interface GateExecutor<K extends GateKind = GateKind> {
  readonly kind: K;
  /** Starts a run for `gate`, recorded as Running in the store; resolves to its id. */
  start(deployment: Deployment, gate: GateOf<K>, stepOf: () => number | null): Promise<string>;
  /**
   * Ends a run: `terminating: true` with a verdict from what it has (its time is up, the rollout
   * finished), otherwise abandoned without one. Resolves to the recorded phase, or undefined
   * when the run was not going here.
   */
  stop(runId: string, options: { readonly terminating: boolean }): Promise<RunPhase | undefined>;
  /** How long after its start a run of `gate` is ended from outside, with a verdict; null: never. */
  deadlineMs(gate: GateOf<K>): number | null;
  /** Whether a finished run of `gate` is followed by a fresh one at the next check. */
  measuresAgain(gate: GateOf<K>, run: AnalysisRun): boolean;
  /**
   * `actor` lets the rollout go on (`ferry rollout promote`, or `controller` after the
   * Inconclusive timeout): passes the going run `runId` if this kind passes that way. Resolves
   * to whether it did. Kinds that only pass on a verdict leave this out.
   */
  promote?(runId: string, actor: string): Promise<boolean>;
}

/** The gate registry: the executor of each gate kind this Ferry can run. */
export type GateExecutors = { readonly [K in GateKind]?: GateExecutor<K> };
