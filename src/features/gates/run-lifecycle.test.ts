import { describe, expect, it } from 'vitest';
import { InMemoryAnalysisRunStore } from '../analysis/in-memory-analysis-run-store.js';
import type { RunPhase } from '../analysis/domain/measurement.js';
import { ManualScheduler } from '../analysis/manual-scheduler.js';
import { resumeRun } from './resume-run.js';
import { RunLifecycle } from './run-lifecycle.js';

const t0 = Date.parse('2025-06-01T12:00:00.000Z');

function setUp() {
  const store = new InMemoryAnalysisRunStore();
  const scheduler = new ManualScheduler(t0);
  const finished: { runId: string; phase: RunPhase; message: string | undefined }[] = [];
  const lifecycle = new RunLifecycle<{ readonly id: string; fired: number; released: boolean }>({
    store,
    scheduler,
    onFinished: (runId, phase, message) => finished.push({ runId, phase, message }),
    label: 'test run',
  });
  const create = () =>
    lifecycle.create(
      { deploymentId: 'dep-1', name: 'step-2' },
      (id) => ({ id, fired: 0, released: false }),
      (run) => (run.released = true),
    );
  return { store, scheduler, finished, lifecycle, create };
}

describe('RunLifecycle', () => {
  it('records a Running run, fires its timers, and finishes it once with a verdict', async () => {
    const { store, scheduler, finished, lifecycle, create } = setUp();
    const run = await create();
    expect(await store.getRun(run.id)).toMatchObject({ phase: 'Running', finishedAt: null });

    lifecycle.arm(run.id, 'measure', () => (run.fired += 1), 10_000);
    await scheduler.advance(10_000);
    expect(run.fired).toBe(1);

    expect(lifecycle.release(run.id)).toBe(run);
    await lifecycle.finish(run.id, 'Failed', 'error rate too high');
    expect(lifecycle.release(run.id)).toBeUndefined();
    expect(await store.getRun(run.id)).toMatchObject({
      phase: 'Failed',
      message: 'error rate too high',
      finishedAt: new Date(t0 + 10_000).toISOString(),
    });
    expect(finished).toEqual([{ runId: run.id, phase: 'Failed', message: 'error rate too high' }]);
    expect(run.released).toBe(true);
  });

  it('cancels every timer of an abandoned run and calls no onFinished', async () => {
    const { store, scheduler, finished, lifecycle, create } = setUp();
    const run = await create();
    lifecycle.arm(run.id, 'verdict', () => (run.fired += 1), 60_000);
    lifecycle.arm(run.id, 'look', () => (run.fired += 1), 20_000);
    expect(scheduler.pending).toBe(2);

    lifecycle.release(run.id);
    await lifecycle.abandon(run.id, 'Running', 'stopped before a verdict');
    await scheduler.advance(120_000);

    expect(run.fired).toBe(0);
    expect(scheduler.pending).toBe(0);
    expect(finished).toEqual([]);
    expect(run.released).toBe(true);
    expect(await store.getRun(run.id)).toMatchObject({
      phase: 'Running',
      message: 'stopped before a verdict',
      finishedAt: new Date(t0).toISOString(),
    });
  });

  it('replaces a timer armed again under the same key', async () => {
    const { scheduler, lifecycle, create } = setUp();
    const run = await create();
    lifecycle.arm(run.id, 'measure', () => (run.fired += 1), 10_000);
    lifecycle.arm(run.id, 'measure', () => (run.fired += 10), 20_000);
    await scheduler.advance(30_000);
    expect(run.fired).toBe(10);
  });

  it('closes every live run through the stop it is given, and settles', async () => {
    const { lifecycle, create } = setUp();
    const runs = [await create(), await create()];
    const stopped: string[] = [];
    await lifecycle.close(async (id) => {
      stopped.push(id);
      lifecycle.release(id);
    });
    expect(stopped.sort()).toEqual(runs.map((run) => run.id).sort());
    expect(lifecycle.ids()).toEqual([]);
  });
});

describe('resumeRun', () => {
  it('after a restart, closes a run an earlier process left unfinished so the gate starts again', async () => {
    const before = setUp();
    const run = await before.create();
    before.lifecycle.arm(run.id, 'verdict', () => (run.fired += 1), 60_000);
    // Ferry restarts: the new process finds the row Running, with nothing live behind it.
    const stored = (await before.store.getRun(run.id))!;

    const resumed = await resumeRun(before.store, stored, false, t0 + 5_000);

    expect(resumed).toEqual({ state: 'interrupted' });
    expect(await before.store.getRun(run.id)).toMatchObject({
      phase: 'Running',
      message: 'interrupted: Ferry stopped before a verdict; the run was started again',
      finishedAt: new Date(t0 + 5_000).toISOString(),
    });
  });

  it('keeps the verdict of a finished run, so a restart neither loses a failure nor repeats a pass', async () => {
    const { store, lifecycle, create } = setUp();
    const run = await create();
    lifecycle.release(run.id);
    await lifecycle.finish(run.id, 'Failed', 'error rate too high');
    const stored = (await store.getRun(run.id))!;

    expect(await resumeRun(store, stored, false, t0)).toEqual({ state: 'finished', run: stored });
  });

  it('reads again a run started here, which may have ended since it was listed', async () => {
    const { store, lifecycle, create } = setUp();
    const run = await create();
    const listed = (await store.getRun(run.id))!;
    expect(await resumeRun(store, listed, true, t0)).toEqual({ state: 'running' });

    lifecycle.release(run.id);
    await lifecycle.finish(run.id, 'Successful', undefined);
    expect(await resumeRun(store, listed, true, t0)).toMatchObject({
      state: 'finished',
      run: { phase: 'Successful' },
    });
  });
});
