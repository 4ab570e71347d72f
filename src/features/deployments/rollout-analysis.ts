import type { Clock } from '../../shared/clock.js';
import type { AnalysisRun } from '../analysis/analysis-run.js';
import type { AnalysisRunStore } from '../analysis/analysis-run-store.js';
import type { GateExecutor, GateExecutors } from '../gates/gate-executor.js';
import type { GateKind } from '../gates/domain/gate-kinds.js';
import { GateRegistry } from '../gates/gate-registry.js';
import { resumeRun } from '../gates/resume-run.js';
import type { Gate } from './domain/analysis-gates.js';
import type { Deployment } from './domain/deployment.js';

export type { Gate };
export type { RunControl } from '../gates/gate-executor.js';

/**
 * Where a gate stands. An overridden Inconclusive run counts as passed, except for a continuous
 * gate (background analysis), which measures again in a fresh run.
 */
export type GateState =
  | { readonly state: 'running' }
  | { readonly state: 'passed'; readonly overriddenBy: string | null }
  | { readonly state: 'failed'; readonly phase: 'Failed' | 'Error'; readonly message: string }
  | { readonly state: 'inconclusive'; readonly message: string; readonly since: number };

interface ActiveRun {
  /** `service/environment`: a newer deployment there ends this one's runs. */
  readonly scope: string;
  readonly deploymentId: string;
  readonly name: string;
  readonly runId: string;
  readonly startedAt: number;
  /** Ended from here with a verdict this long after its start; null: never. */
  readonly deadlineMs: number | null;
  readonly executor: GateExecutor;
}

/**
 * Keeps the analysis runs of rollouts in line with what their current step asks for, and reads
 * their verdicts back for the controller. Runs live in this process; the store is the record: a
 * run left unfinished by an earlier process is closed as interrupted and started again, and a
 * finished one keeps its verdict, so a restart neither loses a failure nor repeats a pass
 * (`resumeRun`). Each gate runs on the executor its kind selects in the registry.
 */
export class RolloutAnalysis {
  /** By `deploymentId/name`. */
  private readonly active = new Map<string, ActiveRun>();
  /** Every run started by this process: an unfinished row of one is not an earlier process's. */
  private readonly startedHere = new Set<string>();
  /** Deployments whose leftover rows were closed after they stopped rolling out. */
  private readonly closedOut = new Set<string>();

  private readonly registry: GateRegistry;

  constructor(
    private readonly deps: {
      readonly store: AnalysisRunStore;
      /** The executor of each gate kind; a gate of a kind without one is refused. */
      readonly executors: GateExecutors;
      readonly clock: Clock;
    },
  ) {
    this.registry = new GateRegistry(deps.executors);
  }

  /**
   * Starts the gates not yet started in this attempt, ends the active runs of the deployment no
   * gate asks for any more and those of older deployments of its service/environment
   * (abandoned, no verdict), ends timed runs whose time is up (with a
   * verdict), and returns every gate's state by name.
   */
  async check(
    deployment: Deployment,
    gates: readonly Gate[],
    stepOf: () => number | null,
  ): Promise<Map<string, GateState>> {
    const wanted = new Set(gates.map((gate) => gate.name));
    const scope = scopeOf(deployment);
    const attemptStartedAt = deployment.rollout?.attemptStartedAt ?? 0;
    for (const run of [...this.active.values()]) {
      const superseded = run.scope === scope && run.deploymentId !== deployment.id;
      const mine = run.deploymentId === deployment.id;
      // A run of an earlier attempt (the rollout was retried since) answers for nothing now.
      const stale = mine && (!wanted.has(run.name) || run.startedAt < attemptStartedAt);
      if (superseded || stale) await this.end(run, false);
    }
    if (gates.length === 0) return new Map();
    const runs = (await this.deps.store.listRuns(deployment.id)).filter(
      (run) => Date.parse(run.startedAt) >= attemptStartedAt,
    );
    const states = new Map<string, GateState>();
    for (const gate of gates) {
      states.set(gate.name, await this.checkGate(deployment, gate, runs, stepOf));
    }
    return states;
  }

  /** Abandons the runs of older deployments of `latest`'s service/environment. */
  async supersede(latest: Deployment): Promise<void> {
    const scope = scopeOf(latest);
    for (const run of [...this.active.values()]) {
      if (run.scope === scope && run.deploymentId !== latest.id) await this.end(run, false);
    }
  }

  /** Whether this Ferry runs gates of `kind` (it has an executor for it). */
  runs(kind: GateKind): boolean {
    return this.registry.has(kind);
  }

  /** Whether a run of the deployment is going here. */
  busy(deploymentId: string): boolean {
    return this.activeOf(deploymentId).length > 0;
  }

  /**
   * Abandons every run of a deployment (it was aborted, rolled back or superseded), and once per
   * deployment closes rows an earlier process left unfinished, so none reads Running forever.
   */
  async abandon(deploymentId: string): Promise<void> {
    for (const run of this.activeOf(deploymentId)) await this.end(run, false);
    if (this.closedOut.has(deploymentId)) return;
    this.closedOut.add(deploymentId);
    const now = new Date(this.deps.clock.now()).toISOString();
    for (const run of await this.deps.store.listRuns(deploymentId)) {
      if (run.finishedAt !== null) continue;
      const message = 'stopped: the rollout ended before a verdict';
      await this.deps.store.finishRun(run.id, run.phase, message, now);
    }
  }

  /** Ends every run of a deployment with a verdict from what was measured (it succeeded). */
  async terminate(deploymentId: string): Promise<void> {
    for (const run of this.activeOf(deploymentId)) await this.end(run, true);
  }

  /**
   * A person (or the Inconclusive timeout) lets the rollout go on: the Inconclusive runs of the
   * current attempt are marked overridden by `actor`. An overridden step run counts as passed
   * (the step ends); background analysis starts a fresh run at the next check, which measures
   * and can still fail the rollout. A going run whose kind passes on a promote (a manual gate)
   * passes too. Returns how many runs were overridden or passed.
   */
  async override(deployment: Deployment, actor: string): Promise<number> {
    const attemptStartedAt = deployment.rollout?.attemptStartedAt ?? 0;
    let count = 0;
    for (const run of this.activeOf(deployment.id)) {
      if (run.startedAt < attemptStartedAt || !run.executor.promote) continue;
      if (!(await run.executor.promote(run.runId, actor))) continue;
      this.active.delete(`${run.deploymentId}/${run.name}`);
      count++;
    }
    const runs = await this.deps.store.listRuns(deployment.id);
    for (const run of runs) {
      if (Date.parse(run.startedAt) < attemptStartedAt) continue;
      if (run.finishedAt !== null && run.phase === 'Inconclusive' && run.overriddenBy === null) {
        await this.deps.store.overrideRun(run.id, actor);
        count++;
      }
    }
    return count;
  }

  /** Abandons every run here, e.g. when Ferry stops; one failing to stop does not keep the rest. */
  async close(): Promise<void> {
    const runs = [...this.active.values()];
    await Promise.allSettled(runs.map((run) => this.end(run, false)));
  }

  private activeOf(deploymentId: string): ActiveRun[] {
    return [...this.active.values()].filter((run) => run.deploymentId === deploymentId);
  }

  private async checkGate(
    deployment: Deployment,
    gate: Gate,
    runs: readonly AnalysisRun[],
    stepOf: () => number | null,
  ): Promise<GateState> {
    const key = `${deployment.id}/${gate.name}`;
    const active = this.active.get(key);
    if (active) {
      const now = this.deps.clock.now();
      if (active.deadlineMs === null || now < active.startedAt + active.deadlineMs) {
        return { state: 'running' };
      }
      await this.end(active, true);
      const ended = await this.deps.store.getRun(active.runId);
      return ended ? stateOf(ended) : { state: 'running' };
    }
    const latest = runs.filter((run) => run.name === gate.name).at(-1);
    if (latest) {
      const now = this.deps.clock.now();
      const resumed = await resumeRun(
        this.deps.store,
        latest,
        this.startedHere.has(latest.id),
        now,
      );
      if (resumed.state === 'running') return { state: 'running' };
      // A finished run keeps its verdict, unless it ended without one or measures again.
      const run = resumed.state === 'finished' ? resumed.run : undefined;
      if (run && run.phase !== 'Running' && !this.registry.measuresAgain(gate, run)) {
        return stateOf(run);
      }
    }
    await this.startGate(deployment, gate, this.registry.executorFor(gate), stepOf);
    return { state: 'running' };
  }

  private async startGate(
    deployment: Deployment,
    gate: Gate,
    executor: GateExecutor,
    stepOf: () => number | null,
  ): Promise<void> {
    const startedAt = this.deps.clock.now();
    const runId = await executor.start(deployment, gate, stepOf);
    this.startedHere.add(runId);
    this.active.set(`${deployment.id}/${gate.name}`, {
      scope: scopeOf(deployment),
      deploymentId: deployment.id,
      name: gate.name,
      runId,
      startedAt,
      deadlineMs: executor.deadlineMs(gate),
      executor,
    });
  }

  private async end(run: ActiveRun, terminating: boolean): Promise<void> {
    this.active.delete(`${run.deploymentId}/${run.name}`);
    await run.executor.stop(run.runId, { terminating });
  }

  /** Called when a run ended by itself: it is no longer active here. */
  finished(runId: string): void {
    for (const [key, run] of this.active) if (run.runId === runId) this.active.delete(key);
  }
}

function scopeOf(deployment: Deployment): string {
  return `${deployment.service}/${deployment.environment}`;
}

function stateOf(run: AnalysisRun): GateState {
  const message = run.message ?? run.phase;
  switch (run.phase) {
    case 'Successful':
      // Null but for a gate a person passed while it was going (a manual gate).
      return { state: 'passed', overriddenBy: run.overriddenBy };
    case 'Failed':
    case 'Error':
      return { state: 'failed', phase: run.phase, message };
    case 'Inconclusive':
      return run.overriddenBy !== null
        ? { state: 'passed', overriddenBy: run.overriddenBy }
        : { state: 'inconclusive', message, since: Date.parse(run.finishedAt ?? run.startedAt) };
    case 'Running':
      return { state: 'running' };
  }
}
