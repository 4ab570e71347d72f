import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeBackends, type OpenedStore } from '../../../test/support/store-backends.js';
import { template } from './analysis-test-kit.js';
import type { AnalysisRun } from './analysis-run.js';
import { KyselyAnalysisRunStore } from './kysely-analysis-run-store.js';

const run = (id: string, startedAt: string): AnalysisRun => ({
  id,
  deploymentId: 'dep-1',
  name: 'step-2',
  templates: [template('errors')],
  phase: 'Running',
  message: null,
  startedAt,
  finishedAt: null,
  overriddenBy: null,
});

describe.each(storeBackends)('KyselyAnalysisRunStore on $name', (backend) => {
  let opened: OpenedStore | undefined;
  let store: KyselyAnalysisRunStore;

  beforeEach(async (ctx) => {
    if (backend.skip) return ctx.skip(backend.skip);
    opened = await backend.open();
    store = new KyselyAnalysisRunStore(opened.db);
  });

  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });

  it('keeps runs with their templates, oldest first, and records how they finished', async () => {
    await store.createRun(run('ana-2', '2025-06-01T12:01:00.000Z'));
    await store.createRun(run('ana-1', '2025-06-01T12:00:00.000Z'));
    await store.createRun({ ...run('ana-3', '2025-06-01T12:00:00.000Z'), deploymentId: 'dep-2' });
    await store.finishRun('ana-1', 'Failed', 'errors/errors: 1 failed', '2025-06-01T12:00:30.000Z');

    const runs = await store.listRuns('dep-1');
    expect(runs.map((r) => r.id)).toEqual(['ana-1', 'ana-2']);
    expect(runs[0]).toEqual({
      ...run('ana-1', '2025-06-01T12:00:00.000Z'),
      phase: 'Failed',
      message: 'errors/errors: 1 failed',
      finishedAt: '2025-06-01T12:00:30.000Z',
    });
    expect(await store.getRun('ana-2')).toEqual(run('ana-2', '2025-06-01T12:01:00.000Z'));
    expect(await store.getRun('nope')).toBeUndefined();

    // A finished run keeps its verdict: a late second finish changes nothing.
    await store.finishRun('ana-1', 'Running', 'interrupted', '2025-06-01T12:05:00.000Z');
    expect((await store.getRun('ana-1'))?.phase).toBe('Failed');

    await store.overrideRun('ana-1', 'user:local');
    expect((await store.getRun('ana-1'))?.overriddenBy).toBe('user:local');
  });

  it('keeps measurements in append order, values as JSON', async () => {
    const base = { runId: 'ana-1', metric: 'errors/errors', at: '2025-06-01T12:00:00.000Z' };
    await store.appendMeasurement({
      ...base,
      phase: 'Successful',
      value: { p99: 120, tags: ['a'] },
      message: null,
      sampleSize: 40,
      step: 3,
    });
    const stored = await store.appendMeasurement({
      ...base,
      phase: 'Error',
      value: undefined,
      message: 'timed out after 2s',
      sampleSize: null,
      step: null,
    });
    expect(stored.id).toBe(2);
    expect(await store.listMeasurements('ana-1')).toEqual([
      {
        ...base,
        id: 1,
        phase: 'Successful',
        value: { p99: 120, tags: ['a'] },
        message: null,
        sampleSize: 40,
        step: 3,
      },
      {
        ...base,
        id: 2,
        phase: 'Error',
        value: null,
        message: 'timed out after 2s',
        sampleSize: null,
        step: null,
      },
    ]);
    expect(await store.listMeasurements('ana-2')).toEqual([]);
  });
});
