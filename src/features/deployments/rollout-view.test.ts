import { describe, expect, it } from 'vitest';
import type { AnalysisRun, StoredMeasurement } from '../analysis/analysis-run.js';
import { toAnalysisRunView } from './rollout-view.js';

const template = {
  intervalMs: 1000,
  count: 3,
  initialDelayMs: 0,
  failureLimit: 0,
  inconclusiveLimit: 0,
  consecutiveErrorLimit: 4,
  metrics: [
    {
      name: 'error-rate',
      provider: { kind: 'builtin', metric: 'error_rate' } as const,
      max: 0.05,
      dryRun: false,
    },
  ],
};

const run: AnalysisRun = {
  id: 'ana-1',
  deploymentId: 'dep-1',
  name: 'step-2',
  templates: [{ name: 'errors', template }],
  phase: 'Running',
  message: null,
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: null,
  overriddenBy: null,
};

const measurement: StoredMeasurement = {
  id: 1,
  runId: 'ana-1',
  metric: 'errors/error-rate',
  phase: 'Successful',
  value: 0.01,
  message: null,
  sampleSize: 120,
  step: 1,
  at: '2026-01-01T00:00:01.000Z',
};

describe('toAnalysisRunView', () => {
  it('shows a run going on as Running, its metric still counting', () => {
    const view = toAnalysisRunView(run, [measurement]);
    expect(view.phase).toBe('Running');
    expect(view.metrics).toMatchObject([
      { name: 'errors/error-rate', phase: 'Running', count: 1, successful: 1 },
    ]);
  });

  it('shows a run ended without a verdict as Stopped, not Running nor passed', () => {
    const stopped = {
      ...run,
      finishedAt: '2026-01-01T00:00:02.000Z',
      message: 'stopped before a verdict',
    };
    const view = toAnalysisRunView(stopped, [measurement]);
    expect(view.phase).toBe('Stopped');
    expect(view.metrics[0]?.phase).toBe('Running');
  });

  it('keeps only the last measurements when limited, with the tallies of all', () => {
    const many = [1, 2, 3].map((id) => ({ ...measurement, id, value: id / 100 }));
    const view = toAnalysisRunView(
      { ...run, phase: 'Successful', finishedAt: run.startedAt },
      many,
      2,
    );
    expect(view.metrics[0]?.measurements.map((m) => m.value)).toEqual([0.02, 0.03]);
    expect(view.metrics[0]).toMatchObject({ phase: 'Successful', count: 3 });
  });
});
