import type { Clock } from '../../shared/clock.js';
import type { AnalysisRun } from '../analysis/analysis-run.js';
import type { AnalysisRunStore } from '../analysis/analysis-run-store.js';
import type { StartAnalysis } from '../analysis/analysis-runner.js';
import type { RunPhase } from '../analysis/domain/measurement.js';
import type { StartJudge } from '../analysis/judge-runner.js';
import type { Gate } from './domain/analysis-gates.js';
import type { Deployment } from './domain/deployment.js';

export type { Gate };

/**
 * Where a gate stands. An overridden Inconclusive run counts as passed, except for a continuous
 * gate (background analysis), which measures again in a fresh run.
 */
export type GateState =
  | { readonly state: 'running' }
  | { readonly state: 'passed'; readonly overriddenBy: string | null }
  | { readonly state: 'failed'; readonly phase: 'Failed' | 'Error'; readonly message: string }
  | { readonly state: 'inconclusive'; readonly message: string; readonly since: number };

/** What starts and stops runs: `AnalysisRunner` for templates, `JudgeRunner` for the judge. */
export interface RunControl<R> {
  start(request: R): Promise<string>;
  stop(runId: string, options: { readonly terminating: boolean }): Promise<RunPhase | undefined>;
}

interface ActiveRun {
  /** `service/environment`: a newer deployment there ends this one's runs. */
  readonly scope: string;
  readonly deploymentId: string;
  readonly name: string;
  readonly runId: string;
  readonly startedAt: number;
  readonly durationMs: number | null;
  readonly control: RunControl<never>;
}

/**
 * Keeps the analysis runs of rollouts in line with what their current step asks for, and reads
 * their verdicts back for the controller. Runs live in this process; the store is the record: a
 * run left unfinished by an earlier process is closed as interrupted and started again, and a
 * finished one keeps its verdict, so a restart neither loses a failure nor repeats a pass.
 */
export class RolloutAnalysis {
  /** By `deploymentId/name`. */
  private readonly active = new Map<string, ActiveRun>();
  /** Every run started by this process: an unfinished row of one is not an earlier process's. */
  private readonly startedHere = new Set<string>();
  /** Deployments whose leftover rows were closed after they stopped rolling out. */
  private readonly closedOut = new Set<string>();

  constructor(
    private readonly deps: {
      readonly store: AnalysisRunStore;
      readonly templates: RunControl<StartAnalysis>;
      readonly judges?: RunControl<StartJudge>;
      readonly clock: Clock;
    },
  ) {}

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
   * and can still fail the rollout. Returns how many runs were overridden.
   */
  async override(deployment: Deployment, actor: string): Promise<number> {
    const attemptStartedAt = deployment.rollout?.attemptStartedAt ?? 0;
    const runs = await this.deps.store.listRuns(deployment.id);
    let count = 0;
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
      if (active.durationMs === null || now < active.startedAt + active.durationMs) {
        return { state: 'running' };
      }
      await this.end(active, true);
      const ended = await this.deps.store.getRun(active.runId);
      return ended ? stateOf(ended) : { state: 'running' };
    }
    let latest = runs.filter((run) => run.name === gate.name).at(-1);
    if (latest && latest.finishedAt === null && this.startedHere.has(latest.id)) {
      // Ours, and it ended after the listing (it is no longer active): read its verdict.
      latest = (await this.deps.store.getRun(latest.id)) ?? latest;
      if (latest.finishedAt === null) return { state: 'running' };
    }
    if (latest && latest.finishedAt === null && !this.startedHere.has(latest.id)) {
      // Started by an earlier process that stopped before a verdict: close it, start again.
      await this.deps.store.finishRun(
        latest.id,
        latest.phase,
        'interrupted: Ferry stopped before a verdict; the run was started again',
        new Date(this.deps.clock.now()).toISOString(),
      );
    } else if (latest && latest.phase !== 'Running' && !measuresAgain(gate, latest)) {
      return stateOf(latest);
    }
    await this.startGate(deployment, gate, stepOf);
    return { state: 'running' };
  }

  private async startGate(
    deployment: Deployment,
    gate: Gate,
    stepOf: () => number | null,
  ): Promise<void> {
    const startedAt = this.deps.clock.now();
    let runId: string;
    let control: RunControl<never>;
    if (gate.kind === 'templates') {
      const named = gate.templates.map((name) => {
        const template = deployment.spec.analysis[name];
        if (!template) throw new Error(`analysis template "${name}" is not defined`);
        return { name, template };
      });
      control = this.deps.templates;
      runId = await this.deps.templates.start({
        deploymentId: deployment.id,
        name: gate.name,
        templates: named,
        context: {
          service: deployment.service,
          environment: deployment.environment,
          track: gate.track,
          version: gate.version,
          versions: gate.versions,
          listener: gate.listener,
        },
        sampleWaitMs: gate.sampleWaitMs,
        stepOf,
      });
    } else {
      const judges = this.deps.judges;
      if (!judges) throw new Error('no canary judge is configured in this Ferry');
      control = judges;
      runId = await judges.start({
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
      });
    }
    this.startedHere.add(runId);
    this.active.set(`${deployment.id}/${gate.name}`, {
      scope: scopeOf(deployment),
      deploymentId: deployment.id,
      name: gate.name,
      runId,
      startedAt,
      // The judge ends itself after its window; past that and a grace, it is ended from here.
      durationMs: gate.kind === 'judge' ? gate.durationMs + judgeGraceMs : gate.durationMs,
      control,
    });
  }

  private async end(run: ActiveRun, terminating: boolean): Promise<void> {
    this.active.delete(`${run.deploymentId}/${run.name}`);
    await run.control.stop(run.runId, { terminating });
  }

  /** Called when a run ended by itself: it is no longer active here. */
  finished(runId: string): void {
    for (const [key, run] of this.active) if (run.runId === runId) this.active.delete(key);
  }
}

/** How long past its window a judge may take to record its verdict before it is ended. */
const judgeGraceMs = 30_000;

function scopeOf(deployment: Deployment): string {
  return `${deployment.service}/${deployment.environment}`;
}

/** A continuous gate whose verdict a person overrode runs again: the override was for one verdict. */
function measuresAgain(gate: Gate, run: AnalysisRun): boolean {
  return gate.kind === 'templates' && gate.continuous === true && run.overriddenBy !== null;
}

function stateOf(run: AnalysisRun): GateState {
  const message = run.message ?? run.phase;
  switch (run.phase) {
    case 'Successful':
      return { state: 'passed', overriddenBy: null };
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
