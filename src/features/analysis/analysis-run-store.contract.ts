import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { template } from './analysis-test-kit.js';
import type { AnalysisRun } from './analysis-run.js';
import type { AnalysisRunStore } from './analysis-run-store.js';

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

/** What every AnalysisRunStore promises; `open` gives a fresh, empty store. */
export function describeAnalysisRunStoreContract(
  name: string,
  open: () => Promise<{ store: AnalysisRunStore; close(): Promise<void> }>,
): void {
  describe(`AnalysisRunStore contract: ${name}`, () => {
    let store: AnalysisRunStore;
    let close: () => Promise<void>;
    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(() => close());

    it('keeps runs with their templates, oldest first, and records how they finished', async () => {
      await store.createRun(run('ana-2', '2025-06-01T12:01:00.000Z'));
      await store.createRun(run('ana-1', '2025-06-01T12:00:00.000Z'));
      await store.createRun({ ...run('ana-3', '2025-06-01T12:00:00.000Z'), deploymentId: 'dep-2' });
      await store.finishRun(
        'ana-1',
        'Failed',
        'errors/errors: 1 failed',
        '2025-06-01T12:00:30.000Z',
      );

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

    it('breaks ties of startedAt by id, and lists nothing for an unknown deployment', async () => {
      await store.createRun(run('ana-b', '2025-06-01T12:00:00.000Z'));
      await store.createRun(run('ana-a', '2025-06-01T12:00:00.000Z'));
      expect((await store.listRuns('dep-1')).map((r) => r.id)).toEqual(['ana-a', 'ana-b']);
      expect(await store.listRuns('dep-9')).toEqual([]);
    });

    it('shares no object with its callers', async () => {
      const given = run('ana-1', '2025-06-01T12:00:00.000Z');
      await store.createRun(given);
      Object.assign(given.templates[0]!, { name: 'changed' });
      Object.assign((await store.getRun('ana-1'))!.templates[0]!, { name: 'changed' });
      Object.assign((await store.listRuns('dep-1'))[0]!.templates[0]!, { name: 'changed' });
      expect(await store.getRun('ana-1')).toEqual(run('ana-1', '2025-06-01T12:00:00.000Z'));
    });

    it('rejects a second run with the same id and keeps the first', async () => {
      await store.createRun(run('ana-1', '2025-06-01T12:00:00.000Z'));
      await expect(store.createRun(run('ana-1', '2025-06-01T12:09:00.000Z'))).rejects.toThrow();
      expect(await store.getRun('ana-1')).toEqual(run('ana-1', '2025-06-01T12:00:00.000Z'));
    });

    it('ignores finishing or overriding a missing run', async () => {
      await store.finishRun('nope', 'Failed', null, '2025-06-01T12:00:30.000Z');
      await store.overrideRun('nope', 'user:local');
      expect(await store.getRun('nope')).toBeUndefined();
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

    it('numbers measurements across runs and lists each run apart', async () => {
      const m = (runId: string, value: unknown) => ({
        runId,
        metric: 'latency/p99',
        phase: 'Successful' as const,
        value,
        message: null,
        sampleSize: null,
        step: null,
        at: '2025-06-01T12:00:00.000Z',
      });
      const first = await store.appendMeasurement(m('ana-1', 1.5));
      const other = await store.appendMeasurement(m('ana-2', [1, 2]));
      const last = await store.appendMeasurement(m('ana-1', 'text'));
      expect(other.id).toBeGreaterThan(first.id);
      expect(last.id).toBeGreaterThan(other.id);
      expect(await store.listMeasurements('ana-1')).toEqual([first, last]);
      expect(await store.listMeasurements('ana-2')).toEqual([
        { ...m('ana-2', [1, 2]), id: other.id },
      ]);
    });
  });
}
