import type { AnalysisRun } from '../analysis/analysis-run.js';
import type { Gate } from '../deployments/domain/analysis-gates.js';
import { gateKindLabels, type GateKind } from './domain/gate-kinds.js';
import type { GateExecutor, GateExecutors } from './gate-executor.js';

/**
 * Selects a gate's executor by its kind. A kind this Ferry has no executor for (no traffic
 * sampler, so no canary judge) is refused when a rollout asks for such a gate.
 */
export class GateRegistry {
  constructor(private readonly executors: GateExecutors) {}

  /** Whether this Ferry has an executor for `kind`. */
  has(kind: GateKind): boolean {
    return this.executors[kind] !== undefined;
  }

  /** The executor of `kind`; throws when none is configured. */
  executorOf<K extends GateKind>(kind: K): GateExecutor<K> {
    const executor = this.executors[kind] as GateExecutor<K> | undefined;
    if (!executor) throw new Error(`no ${gateKindLabels[kind]} is configured in this Ferry`);
    return executor;
  }

  /** The executor of `gate`'s kind, which takes that gate. */
  executorFor(gate: Gate): GateExecutor {
    // Each kind's executor takes that kind's gate; TypeScript cannot pair a union that way.
    return this.executorOf(gate.kind) as unknown as GateExecutor;
  }

  /**
   * Whether a finished run of `gate` is followed by a fresh one. A kind without an executor here
   * keeps its verdict: it is refused only when a run of it has to start.
   */
  measuresAgain(gate: Gate, run: AnalysisRun): boolean {
    if (this.executors[gate.kind] === undefined) return false;
    return this.executorFor(gate).measuresAgain(gate, run);
  }
}
