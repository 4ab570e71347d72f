import { beforeEach, describe, expect, it } from 'vitest';
import type { ServiceConfig } from '../../config/ferry-config.js';
import { loadConfigFile } from '../../config/load-config.js';
import { InMemoryAnalysisRunStore } from '../analysis/in-memory-analysis-run-store.js';
import type { RunPhase } from '../analysis/domain/measurement.js';
import { ManualScheduler } from '../analysis/manual-scheduler.js';
import type { Deployment } from '../deployments/domain/deployment.js';
import { initialRolloutState } from '../deployments/domain/rollout-state.js';
import { RolloutAnalysis, type Gate } from '../deployments/rollout-analysis.js';
import { manualExecutor } from './manual-executor.js';

const config = await loadConfigFile('test/fixtures/config/valid-analysis.yaml');
const spec = config.services['web'] as ServiceConfig;
const t0 = Date.parse('2025-06-01T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

const deployment: Deployment = {
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
};
const approve: Gate = { kind: 'manual', name: 'approve-3' };
const stepOf = () => 2;

let store: InMemoryAnalysisRunStore;
let scheduler: ManualScheduler;
let finished: { runId: string; phase: RunPhase }[];
let executor: ReturnType<typeof manualExecutor>;
let analysis: RolloutAnalysis;

beforeEach(() => {
  store = new InMemoryAnalysisRunStore();
  scheduler = new ManualScheduler(t0);
  finished = [];
  executor = manualExecutor({
    store,
    scheduler,
    onFinished: (runId, phase) => {
      finished.push({ runId, phase });
      analysis.finished(runId);
    },
  });
  analysis = new RolloutAnalysis({
    store,
    executors: { manual: executor },
    clock: scheduler.clock,
  });
});

describe('manualExecutor', () => {
  it('waits for a person however long it takes: time alone never ends it', async () => {
    const runId = await executor.start(deployment, approve, stepOf);
    await scheduler.advance(24 * 3_600_000);
    expect(scheduler.pending).toBe(0);
    expect(await store.getRun(runId)).toMatchObject({ name: 'approve-3', phase: 'Running' });
    expect(executor.deadlineMs(approve)).toBeNull();
  });

  it('passes when a person promotes, recording who', async () => {
    const runId = await executor.start(deployment, approve, stepOf);
    expect(await executor.promote!(runId, 'user:ana')).toBe(true);
    expect(await store.getRun(runId)).toMatchObject({
      phase: 'Successful',
      message: 'promoted by user:ana',
      overriddenBy: 'user:ana',
    });
    expect(finished).toEqual([{ runId, phase: 'Successful' }]);
    expect(await executor.promote!(runId, 'user:ana')).toBe(false);
  });

  it('is not passed by the controller (the Inconclusive timeout stands in for no person)', async () => {
    const runId = await executor.start(deployment, approve, stepOf);
    expect(await executor.promote!(runId, 'controller')).toBe(false);
    expect(await store.getRun(runId)).toMatchObject({ phase: 'Running', finishedAt: null });
  });

  it('ends without a verdict when the rollout ends or moves on', async () => {
    const runId = await executor.start(deployment, approve, stepOf);
    expect(await executor.stop(runId, { terminating: true })).toBe('Running');
    expect(await store.getRun(runId)).toMatchObject({
      phase: 'Running',
      message: 'stopped before a person promoted the rollout',
      finishedAt: iso(t0),
    });
    expect(finished).toEqual([]);
    expect(await executor.promote!(runId, 'user:ana')).toBe(false);
  });
});

describe('a manual gate through RolloutAnalysis', () => {
  it('runs until a person promotes, then passes as overridden by them', async () => {
    const states = async () =>
      Object.fromEntries(await analysis.check(deployment, [approve], stepOf));
    expect(await states()).toEqual({ 'approve-3': { state: 'running' } });

    expect(await analysis.override(deployment, 'controller')).toBe(0);
    await scheduler.advance(3_600_000);
    expect(await states()).toEqual({ 'approve-3': { state: 'running' } });

    expect(await analysis.override(deployment, 'user:ana')).toBe(1);
    expect(await states()).toEqual({
      'approve-3': { state: 'passed', overriddenBy: 'user:ana' },
    });
    expect(analysis.busy(deployment.id)).toBe(false);
  });

  it('is abandoned with the rollout', async () => {
    await analysis.check(deployment, [approve], stepOf);
    await analysis.abandon(deployment.id);
    const [run] = await store.listRuns(deployment.id);
    expect(run).toMatchObject({ phase: 'Running', finishedAt: iso(t0) });
    expect(analysis.busy(deployment.id)).toBe(false);
  });
});
