import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServiceConfig } from '../../config/ferry-config.js';
import { loadConfigFile } from '../../config/load-config.js';
import { ManualClock } from '../../shared/clock.js';
import { openSqlite } from '../../store/open-sqlite.js';
import type { Database } from '../../store/schema.js';
import type { AnalysisRun } from '../analysis/analysis-run.js';
import type { StartAnalysis } from '../analysis/analysis-runner.js';
import type { RunPhase } from '../analysis/domain/measurement.js';
import type { StartJudge } from '../analysis/judge-runner.js';
import { KyselyAnalysisRunStore } from '../analysis/kysely-analysis-run-store.js';
import type { Deployment } from './domain/deployment.js';
import { initialRolloutState } from './domain/rollout-state.js';
import { analysisExecutor } from '../gates/analysis-executor.js';
import { judgeExecutor } from '../gates/judge-executor.js';
import { RolloutAnalysis, type Gate, type RunControl } from './rollout-analysis.js';

const fixture = join(import.meta.dirname, '../../../test/fixtures/config/valid-analysis.yaml');
const t0 = Date.parse('2025-06-01T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Starts and stops runs the way `AnalysisRunner` records them (a Running run in the store; a
 * stopped one finished in the phase it had, a terminated one with a verdict), and remembers every
 * call. The test ends runs by themselves with `finish`.
 */
class FakeRuns<R extends StartAnalysis | StartJudge> implements RunControl<R> {
  readonly started: R[] = [];
  readonly stopped: { runId: string; terminating: boolean }[] = [];
  readonly running = new Set<string>();
  /** The verdict a `terminating` stop records, as the runner judges what was measured. */
  verdict: { phase: RunPhase; message: string } = {
    phase: 'Successful',
    message: 'errors/error-rate: run terminated before the metric settled',
  };
  private next = 0;

  constructor(
    private readonly prefix: string,
    private readonly store: KyselyAnalysisRunStore,
    private readonly clock: ManualClock,
  ) {}

  async start(request: R): Promise<string> {
    this.next += 1;
    const id = `${this.prefix}-${this.next}`;
    this.started.push(request);
    this.running.add(id);
    await this.store.createRun({
      id,
      deploymentId: request.deploymentId,
      name: request.name,
      templates: 'templates' in request ? request.templates : [],
      phase: 'Running',
      message: null,
      startedAt: iso(this.clock.now()),
      finishedAt: null,
      overriddenBy: null,
    });
    return id;
  }

  async stop(runId: string, options: { terminating: boolean }): Promise<RunPhase | undefined> {
    this.stopped.push({ runId, terminating: options.terminating });
    if (!this.running.delete(runId)) return undefined;
    const at = iso(this.clock.now());
    if (options.terminating) {
      await this.store.finishRun(runId, this.verdict.phase, this.verdict.message, at);
      return this.verdict.phase;
    }
    await this.store.finishRun(runId, 'Running', 'stopped before a verdict', at);
    return 'Running';
  }

  /** The run ends by itself; `onFinished` tells `RolloutAnalysis`, as `compose.ts` wires it. */
  async finish(runId: string, phase: RunPhase, message: string | null): Promise<void> {
    this.running.delete(runId);
    await this.store.finishRun(runId, phase, message, iso(this.clock.now()));
    analysis.finished(runId);
  }
}

let dir: string;
let db: Kysely<Database>;
let store: KyselyAnalysisRunStore;
let clock: ManualClock;
let templates: FakeRuns<StartAnalysis>;
let judges: FakeRuns<StartJudge>;
let analysis: RolloutAnalysis;
let spec: ServiceConfig;

beforeEach(async () => {
  const config = await loadConfigFile(fixture);
  spec = config.services['web']!;
  dir = mkdtempSync(join(tmpdir(), 'ferry-rollout-analysis-'));
  db = await openSqlite(join(dir, 'ferry.db'));
  store = new KyselyAnalysisRunStore(db);
  clock = new ManualClock(t0);
  templates = new FakeRuns('ana', store, clock);
  judges = new FakeRuns('jdg', store, clock);
  analysis = rolloutAnalysis({ templates, judges });
});

afterEach(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** The analysis of this Ferry, with an executor for each fake's gate kind. */
function rolloutAnalysis(runs: {
  templates: FakeRuns<StartAnalysis>;
  judges?: FakeRuns<StartJudge>;
}): RolloutAnalysis {
  const executors = {
    analysis: analysisExecutor(runs.templates),
    ...(runs.judges ? { judge: judgeExecutor(runs.judges) } : {}),
  };
  return new RolloutAnalysis({ store, executors, clock });
}

function deployment(overrides: Partial<Deployment> = {}): Deployment {
  return {
    id: 'dep-2',
    service: 'web',
    environment: 'prod',
    kind: 'deploy',
    artifactDigest: 'sha256:2222',
    version: 'v2',
    phase: 'Progressing',
    reason: null,
    previousId: 'dep-1',
    spec,
    actor: 'user:local',
    createdAt: iso(t0),
    updatedAt: iso(t0),
    lastProgressAt: iso(t0),
    finishedAt: null,
    rollout: initialRolloutState(t0),
    ...overrides,
  };
}

function gate(name = 'step-2', overrides: Partial<Extract<Gate, { kind: 'analysis' }>> = {}) {
  return {
    kind: 'analysis',
    name,
    templates: ['errors'],
    track: 'canary',
    version: 'v2',
    versions: { canary: 'v2', stable: 'v1', baseline: 'v1' },
    listener: 'main',
    durationMs: null,
    sampleWaitMs: null,
    ...overrides,
  } satisfies Gate;
}

const stepOf = () => 1;

/** A run written straight into the store, as another process (or attempt) left it. */
function storedRun(overrides: Partial<AnalysisRun> & Pick<AnalysisRun, 'id'>): AnalysisRun {
  return {
    deploymentId: 'dep-2',
    name: 'step-2',
    templates: [{ name: 'errors', template: spec.analysis['errors']! }],
    phase: 'Running',
    message: null,
    startedAt: iso(t0),
    finishedAt: null,
    overriddenBy: null,
    ...overrides,
  };
}

async function states(d: Deployment, gates: readonly Gate[]) {
  return Object.fromEntries(await analysis.check(d, gates, stepOf));
}

describe('RolloutAnalysis.check', () => {
  it('starts a gate once with its templates and context, then reports it running', async () => {
    const d = deployment();
    expect(await states(d, [gate()])).toEqual({ 'step-2': { state: 'running' } });
    expect(templates.started).toHaveLength(1);
    const request = templates.started[0]!;
    expect(request).toMatchObject({
      deploymentId: 'dep-2',
      name: 'step-2',
      templates: [{ name: 'errors', template: spec.analysis['errors'] }],
      context: {
        service: 'web',
        environment: 'prod',
        track: 'canary',
        version: 'v2',
        versions: { canary: 'v2', stable: 'v1', baseline: 'v1' },
        listener: 'main',
      },
    });
    expect(request.stepOf?.()).toBe(1);

    clock.advance(5_000);
    expect(await states(d, [gate()])).toEqual({ 'step-2': { state: 'running' } });
    expect(templates.started).toHaveLength(1);
    expect(templates.stopped).toEqual([]);
    expect((await store.listRuns('dep-2')).map((r) => [r.id, r.phase])).toEqual([
      ['ana-1', 'Running'],
    ]);
  });

  it('reports a run that passed as passed and never starts it again', async () => {
    const d = deployment();
    await analysis.check(d, [gate()], stepOf);
    clock.advance(30_000);
    await templates.finish('ana-1', 'Successful', 'errors/error-rate: 3 of 3 measurements taken');

    const passed = { 'step-2': { state: 'passed', overriddenBy: null } };
    expect(await states(d, [gate()])).toEqual(passed);
    expect(await states(d, [gate()])).toEqual(passed);
    expect(templates.started).toHaveLength(1);
  });

  it('reports a Failed run with its message, and an Error run without one by its phase', async () => {
    const d = deployment();
    await analysis.check(d, [gate('step-2'), gate('background')], stepOf);
    const message =
      'errors/error-rate: 2 failed, more than failureLimit 1; last: 0.2 above max 0.01';
    await templates.finish('ana-1', 'Failed', message);
    await templates.finish('ana-2', 'Error', null);

    expect(await states(d, [gate('step-2'), gate('background')])).toEqual({
      'step-2': { state: 'failed', phase: 'Failed', message },
      background: { state: 'failed', phase: 'Error', message: 'Error' },
    });
    expect(templates.started).toHaveLength(2);
  });

  it('reports an Inconclusive run as inconclusive since it finished', async () => {
    const d = deployment();
    await analysis.check(d, [gate()], stepOf);
    clock.advance(42_000);
    const message =
      'errors/error-rate: no measurement succeeded (3 inconclusive, 0 failed, 0 errors)';
    await templates.finish('ana-1', 'Inconclusive', message);
    clock.advance(60_000);

    expect(await states(d, [gate()])).toEqual({
      'step-2': { state: 'inconclusive', message, since: t0 + 42_000 },
    });
    expect(templates.started).toHaveLength(1);
  });

  it('closes a run an earlier process left unfinished as interrupted and starts it again', async () => {
    clock.advance(10_000);
    await store.createRun(storedRun({ id: 'ana-old', startedAt: iso(t0 + 1_000) }));

    expect(await states(deployment(), [gate()])).toEqual({ 'step-2': { state: 'running' } });
    const old = await store.getRun('ana-old');
    expect(old?.finishedAt).toBe(iso(t0 + 10_000));
    expect(old?.message).toMatch(/^interrupted: /);
    expect(templates.started.map((r) => r.name)).toEqual(['step-2']);
    expect((await store.listRuns('dep-2')).map((r) => r.id)).toEqual(['ana-old', 'ana-1']);
  });

  it('starts again, after a restart, a run the earlier process abandoned when it closed', async () => {
    await analysis.check(deployment(), [gate()], stepOf);
    await analysis.close();
    expect(templates.stopped).toEqual([{ runId: 'ana-1', terminating: false }]);

    const restarted = rolloutAnalysis({ templates, judges });
    clock.advance(1_000);
    expect(Object.fromEntries(await restarted.check(deployment(), [gate()], stepOf))).toEqual({
      'step-2': { state: 'running' },
    });
    expect(templates.started).toHaveLength(2);
    expect((await store.getRun('ana-2'))?.phase).toBe('Running');
  });

  it('stops, without a verdict, the run of a gate no longer wanted', async () => {
    const d = deployment();
    await analysis.check(d, [gate('step-2'), gate('background')], stepOf);

    expect(await states(d, [gate('background')])).toEqual({ background: { state: 'running' } });
    expect(templates.stopped).toEqual([{ runId: 'ana-1', terminating: false }]);
    expect(await states(d, [])).toEqual({});
    expect(templates.stopped).toEqual([
      { runId: 'ana-1', terminating: false },
      { runId: 'ana-2', terminating: false },
    ]);
    expect(templates.running.size).toBe(0);
    expect(templates.started).toHaveLength(2);
  });

  it('ends a timed gate when its duration is up and returns the verdict recorded then', async () => {
    const d = deployment();
    const timed = gate('step-2', { durationMs: 30_000 });
    await analysis.check(d, [timed], stepOf);

    clock.advance(29_999);
    expect(await states(d, [timed])).toEqual({ 'step-2': { state: 'running' } });
    expect(templates.stopped).toEqual([]);

    clock.advance(1);
    expect(await states(d, [timed])).toEqual({
      'step-2': { state: 'passed', overriddenBy: null },
    });
    expect(templates.stopped).toEqual([{ runId: 'ana-1', terminating: true }]);
    // The verdict stays: the next check neither stops nor starts anything.
    expect(await states(d, [timed])).toEqual({
      'step-2': { state: 'passed', overriddenBy: null },
    });
    expect(templates.started).toHaveLength(1);
    expect(templates.stopped).toHaveLength(1);
  });

  it('returns the Inconclusive verdict of a timed gate that measured nothing useful', async () => {
    const d = deployment();
    const timed = gate('step-2', { durationMs: 10_000 });
    await analysis.check(d, [timed], stepOf);
    const message = 'errors/error-rate: no measurement was taken';
    templates.verdict = { phase: 'Inconclusive', message };

    clock.advance(10_000);
    expect(await states(d, [timed])).toEqual({
      'step-2': { state: 'inconclusive', message, since: t0 + 10_000 },
    });
  });

  it('ignores runs of an earlier attempt: a retry starts afresh', async () => {
    await store.createRun(
      storedRun({
        id: 'ana-first',
        phase: 'Failed',
        message: 'errors/error-rate: 1 failed, more than failureLimit 0',
        finishedAt: iso(t0 + 20_000),
      }),
    );
    await store.createRun(storedRun({ id: 'ana-cut', startedAt: iso(t0 + 30_000) }));
    clock.set(t0 + 60_000);
    const retried = deployment({ rollout: initialRolloutState(t0 + 60_000) });

    expect(await states(retried, [gate()])).toEqual({ 'step-2': { state: 'running' } });
    expect(templates.started).toHaveLength(1);
    // The earlier attempt's run is history: not closed as interrupted, not read for a verdict.
    expect((await store.getRun('ana-cut'))?.finishedAt).toBeNull();

    // Without attemptStartedAt (a state from before analysis existed) every run counts.
    const legacy = deployment({ id: 'dep-3', rollout: null });
    await store.createRun(
      storedRun({
        id: 'ana-legacy',
        deploymentId: 'dep-3',
        phase: 'Successful',
        finishedAt: iso(t0 + 1_000),
      }),
    );
    expect(await states(legacy, [gate()])).toEqual({
      'step-2': { state: 'passed', overriddenBy: null },
    });
  });

  it('starts a judge gate through the judge runner', async () => {
    const judge = spec.strategy.kind === 'canary' ? spec.strategy.canary.judge : null;
    expect(judge).not.toBeNull();
    const judgeGate: Gate = {
      kind: 'judge',
      name: 'judge-3',
      judge: judge!,
      canaryVersion: 'v2',
      baselineVersion: 'v1',
      durationMs: 60_000,
      intervalMs: null,
    };
    const d = deployment();
    expect(await states(d, [judgeGate])).toEqual({ 'judge-3': { state: 'running' } });
    expect(judges.started).toHaveLength(1);
    expect(judges.started[0]).toMatchObject({
      deploymentId: 'dep-2',
      name: 'judge-3',
      service: 'web',
      environment: 'prod',
      canaryVersion: 'v2',
      baselineVersion: 'v1',
      durationMs: 60_000,
      intervalMs: null,
    });
    expect(templates.started).toEqual([]);

    // The judge runner keeps its own time: just past durationMs the gate waits for its verdict.
    clock.advance(65_000);
    expect(await states(d, [judgeGate])).toEqual({ 'judge-3': { state: 'running' } });
    expect(judges.stopped).toEqual([]);
    await judges.finish('jdg-1', 'Failed', 'judge: score 40 below marginalThreshold 75');
    expect(await states(d, [judgeGate])).toEqual({
      'judge-3': {
        state: 'failed',
        phase: 'Failed',
        message: 'judge: score 40 below marginalThreshold 75',
      },
    });
  });

  it('ends a judge that has not recorded a verdict 30 s past its window', async () => {
    const judge = spec.strategy.kind === 'canary' ? spec.strategy.canary.judge : null;
    const judgeGate: Gate = {
      kind: 'judge',
      name: 'judge-3',
      judge: judge!,
      canaryVersion: 'v2',
      baselineVersion: 'v1',
      durationMs: 60_000,
      intervalMs: null,
    };
    const d = deployment();
    await states(d, [judgeGate]);
    clock.advance(90_000);
    judges.verdict = { phase: 'Inconclusive', message: 'judge: not enough data' };
    expect(await states(d, [judgeGate])).toMatchObject({
      'judge-3': { state: 'inconclusive', message: 'judge: not enough data' },
    });
    expect(judges.stopped).toEqual([{ runId: 'jdg-1', terminating: true }]);
  });

  it('refuses a template the service does not define and a judge without a judge runner', async () => {
    await expect(
      analysis.check(deployment(), [gate('step-2', { templates: ['nope'] })], stepOf),
    ).rejects.toThrow('analysis template "nope" is not defined');

    const withoutJudges = rolloutAnalysis({ templates });
    const judgeGate: Gate = {
      kind: 'judge',
      name: 'judge-3',
      judge: { passThreshold: 95, marginalThreshold: 75, metrics: [] },
      canaryVersion: 'v2',
      baselineVersion: 'v1',
      durationMs: 60_000,
      intervalMs: null,
    };
    await expect(withoutJudges.check(deployment(), [judgeGate], stepOf)).rejects.toThrow(
      'no canary judge is configured in this Ferry',
    );
    expect(templates.started).toEqual([]);
  });
});

describe('RolloutAnalysis.override', () => {
  it('marks the Inconclusive runs of the current attempt overridden; they count as passed', async () => {
    const inconclusive = {
      phase: 'Inconclusive' as const,
      message: 'errors/error-rate: 1 inconclusive',
    };
    // Earlier attempt: Inconclusive, but not this attempt's to override.
    await store.createRun(storedRun({ id: 'ana-0', ...inconclusive, finishedAt: iso(t0 + 5_000) }));
    clock.set(t0 + 60_000);
    const d = deployment({ rollout: initialRolloutState(t0 + 60_000) });
    await analysis.check(d, [gate('step-2'), gate('background')], stepOf);
    clock.advance(10_000);
    await templates.finish('ana-1', 'Inconclusive', inconclusive.message);
    await templates.finish('ana-2', 'Failed', 'errors/error-rate: 1 failed');

    expect(await analysis.override(d, 'user:local')).toBe(1);
    expect(await states(d, [gate('step-2'), gate('background')])).toEqual({
      'step-2': { state: 'passed', overriddenBy: 'user:local' },
      background: { state: 'failed', phase: 'Failed', message: 'errors/error-rate: 1 failed' },
    });
    const runs = await store.listRuns('dep-2');
    expect(runs.map((r) => [r.id, r.phase, r.overriddenBy])).toEqual([
      ['ana-0', 'Inconclusive', null],
      ['ana-1', 'Inconclusive', 'user:local'],
      ['ana-2', 'Failed', null],
    ]);

    // Overriding again changes nothing: whoever overrode first stays on record.
    expect(await analysis.override(d, 'controller')).toBe(0);
    expect((await store.getRun('ana-1'))?.overriddenBy).toBe('user:local');
  });

  it('does not switch background analysis off: a fresh run measures, and its Failed verdict fails', async () => {
    const d = deployment();
    const background = gate('background', { continuous: true });
    await analysis.check(d, [background], stepOf);
    clock.advance(10_000);
    const message = 'errors/error-rate: 1 inconclusive, more than inconclusiveLimit 0';
    await templates.finish('ana-1', 'Inconclusive', message);
    expect(await states(d, [background])).toEqual({
      background: { state: 'inconclusive', message, since: t0 + 10_000 },
    });

    expect(await analysis.override(d, 'user:local')).toBe(1);
    clock.advance(1_000);
    expect(await states(d, [background])).toEqual({ background: { state: 'running' } });
    expect(templates.started.map((r) => r.name)).toEqual(['background', 'background']);
    expect(await states(d, [background])).toEqual({ background: { state: 'running' } });
    expect(templates.started).toHaveLength(2);

    clock.advance(5_000);
    await templates.finish('ana-2', 'Failed', 'errors/error-rate: 1 failed');
    expect(await states(d, [background])).toEqual({
      background: { state: 'failed', phase: 'Failed', message: 'errors/error-rate: 1 failed' },
    });
    expect((await store.listRuns('dep-2')).map((r) => [r.id, r.phase, r.overriddenBy])).toEqual([
      ['ana-1', 'Inconclusive', 'user:local'],
      ['ana-2', 'Failed', null],
    ]);
  });

  it('lets an overridden step pass while the next step runs its own analysis', async () => {
    const d = deployment();
    await analysis.check(d, [gate('step-2')], stepOf);
    await templates.finish('ana-1', 'Inconclusive', 'errors/error-rate: 1 inconclusive');
    await analysis.override(d, 'user:local');
    expect(await states(d, [gate('step-2')])).toEqual({
      'step-2': { state: 'passed', overriddenBy: 'user:local' },
    });
    expect(await states(d, [gate('step-4')])).toEqual({ 'step-4': { state: 'running' } });
    await templates.finish('ana-2', 'Failed', 'errors/error-rate: 1 failed');
    expect(await states(d, [gate('step-4')])).toEqual({
      'step-4': { state: 'failed', phase: 'Failed', message: 'errors/error-rate: 1 failed' },
    });
  });

  it('leaves running runs alone', async () => {
    const d = deployment();
    await analysis.check(d, [gate()], stepOf);
    expect(await analysis.override(d, 'user:local')).toBe(0);
    expect(await states(d, [gate()])).toEqual({ 'step-2': { state: 'running' } });
    expect(templates.stopped).toEqual([]);
  });
});

describe('RolloutAnalysis abandon, terminate and close', () => {
  async function startTwoDeployments() {
    await analysis.check(deployment(), [gate('step-2'), gate('background')], stepOf);
    await analysis.check(deployment({ id: 'dep-9', service: 'api' }), [gate('step-2')], stepOf);
    expect(templates.started.map((r) => [r.deploymentId, r.name])).toEqual([
      ['dep-2', 'step-2'],
      ['dep-2', 'background'],
      ['dep-9', 'step-2'],
    ]);
  }

  it('abandon stops the runs of one deployment without a verdict', async () => {
    await startTwoDeployments();
    await analysis.abandon('dep-2');
    expect(templates.stopped).toEqual([
      { runId: 'ana-1', terminating: false },
      { runId: 'ana-2', terminating: false },
    ]);
    expect([...templates.running]).toEqual(['ana-3']);
    // Abandoned runs are no longer active here: abandoning again stops nothing.
    await analysis.abandon('dep-2');
    expect(templates.stopped).toHaveLength(2);
  });

  it('terminate ends the runs of one deployment with a verdict', async () => {
    await startTwoDeployments();
    await analysis.terminate('dep-2');
    expect(templates.stopped).toEqual([
      { runId: 'ana-1', terminating: true },
      { runId: 'ana-2', terminating: true },
    ]);
    expect((await store.getRun('ana-1'))?.phase).toBe('Successful');
    expect((await store.getRun('ana-3'))?.finishedAt).toBeNull();
  });

  it("a newer deployment of the same service/environment ends the older one's runs", async () => {
    await startTwoDeployments();
    await analysis.supersede(deployment({ id: 'dep-3' }));
    expect(templates.stopped).toEqual([
      { runId: 'ana-1', terminating: false },
      { runId: 'ana-2', terminating: false },
    ]);
    expect([...templates.running]).toEqual(['ana-3']);
    // check() does the same for the deployment it is given.
    await analysis.check(deployment({ id: 'dep-10', service: 'api' }), [], stepOf);
    expect([...templates.running]).toEqual([]);
  });

  it('abandon closes, once, the rows an earlier process left unfinished', async () => {
    await store.createRun(storedRun({ id: 'old-1' }));
    await analysis.abandon('dep-2');
    const closed = await store.getRun('old-1');
    expect(closed?.finishedAt).not.toBeNull();
    expect(closed?.message).toBe('stopped: the rollout ended before a verdict');
  });

  it('ends a run of an earlier attempt still going here when the rollout was retried', async () => {
    await analysis.check(deployment(), [gate('step-2')], stepOf);
    clock.advance(1_000);
    const retried = deployment({ rollout: initialRolloutState(clock.now()) });
    const now = await states(retried, [gate('step-2')]);
    expect(now['step-2']).toEqual({ state: 'running' });
    expect(templates.stopped).toEqual([{ runId: 'ana-1', terminating: false }]);
    expect(templates.started).toHaveLength(2);
  });

  it('close stops every run without a verdict; a run that ended by itself is not stopped', async () => {
    await startTwoDeployments();
    await templates.finish('ana-2', 'Successful', 'errors/error-rate: 3 of 3 measurements taken');
    await analysis.close();
    expect(templates.stopped).toEqual([
      { runId: 'ana-1', terminating: false },
      { runId: 'ana-3', terminating: false },
    ]);
    expect(templates.running.size).toBe(0);
  });
});
