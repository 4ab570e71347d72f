import { describe, expect, it } from 'vitest';
import { judgeMetric, judgeRun, worstPhase } from './judge-run.js';
import type { Measurement, MeasurementPhase } from './measurement.js';

/** Measurements of one metric, one second apart, in the given phases. */
function series(metric: string, phases: readonly MeasurementPhase[], start = 0): Measurement[] {
  return phases.map((phase, i) => ({
    metric,
    value: 1,
    phase,
    at: start + i * 1000,
    ...(phase === 'Successful' ? {} : { message: `${phase.toLowerCase()} #${i + 1}` }),
  }));
}

describe('judgeMetric', () => {
  it('is Running until count measurements are taken, then Successful', () => {
    expect(
      judgeMetric({ name: 'm', count: 3 }, series('m', ['Successful', 'Successful'])).phase,
    ).toBe('Running');
    const done = judgeMetric(
      { name: 'm', count: 3 },
      series('m', ['Successful', 'Successful', 'Successful']),
    );
    expect(done).toMatchObject({
      phase: 'Successful',
      count: 3,
      successful: 3,
      message: '3 of 3 measurements taken',
    });
  });

  it('fails on the first failure by default and tolerates failureLimit of them', () => {
    expect(
      judgeMetric({ name: 'm', count: 5 }, series('m', ['Successful', 'Failed'])),
    ).toMatchObject({
      phase: 'Failed',
      message: '1 failed, more than failureLimit 0; last: failed #2',
    });
    const tolerant = { name: 'm', count: 5, failureLimit: 1 };
    expect(judgeMetric(tolerant, series('m', ['Failed', 'Successful'])).phase).toBe('Running');
    expect(judgeMetric(tolerant, series('m', ['Failed', 'Successful', 'Failed'])).phase).toBe(
      'Failed',
    );
  });

  it('is Inconclusive past inconclusiveLimit', () => {
    expect(judgeMetric({ name: 'm', count: 5 }, series('m', ['Inconclusive'])).phase).toBe(
      'Inconclusive',
    );
    const tolerant = { name: 'm', count: 5, inconclusiveLimit: 2 };
    expect(judgeMetric(tolerant, series('m', ['Inconclusive', 'Inconclusive'])).phase).toBe(
      'Running',
    );
    expect(
      judgeMetric(tolerant, series('m', ['Inconclusive', 'Inconclusive', 'Inconclusive'])).phase,
    ).toBe('Inconclusive');
  });

  it('is Error after more than 4 errors in a row, and a good measurement resets the streak', () => {
    const spec = { name: 'm', count: 10 };
    expect(judgeMetric(spec, series('m', ['Error', 'Error', 'Error', 'Error'])).phase).toBe(
      'Running',
    );
    expect(
      judgeMetric(spec, series('m', ['Error', 'Error', 'Error', 'Error', 'Error'])),
    ).toMatchObject({
      phase: 'Error',
      consecutiveError: 5,
      message: '5 errors in a row, more than consecutiveErrorLimit 4; last: error #5',
    });
    const broken = series('m', [
      'Error',
      'Error',
      'Error',
      'Error',
      'Successful',
      'Error',
      'Error',
    ]);
    expect(judgeMetric(spec, broken)).toMatchObject({
      phase: 'Running',
      error: 6,
      consecutiveError: 2,
    });
    expect(judgeMetric({ ...spec, consecutiveErrorLimit: 0 }, series('m', ['Error'])).phase).toBe(
      'Error',
    );
  });

  it('does not count errors towards count (Argo Rollouts)', () => {
    const result = judgeMetric(
      { name: 'm', count: 2 },
      series('m', ['Successful', 'Error', 'Error']),
    );
    expect(result).toMatchObject({ phase: 'Running', count: 1, error: 2 });
  });

  it('checks failures before the count, so the last measurement can still fail the metric', () => {
    expect(judgeMetric({ name: 'm', count: 2 }, series('m', ['Successful', 'Failed'])).phase).toBe(
      'Failed',
    );
  });

  it('folds in time order and ignores measurements after the metric settled', () => {
    const [first, second, third] = series('m', ['Failed', 'Successful', 'Successful']);
    // Given out of order: the failure (t=0) still comes first and settles the metric.
    const result = judgeMetric({ name: 'm', count: 2 }, [third!, second!, first!]);
    expect(result).toMatchObject({ phase: 'Failed', count: 1, failed: 1, successful: 0 });
  });

  it('without a count runs until terminated, then is Successful', () => {
    const measurements = series('m', Array<MeasurementPhase>(50).fill('Successful'));
    expect(judgeMetric({ name: 'm' }, measurements).phase).toBe('Running');
    expect(judgeMetric({ name: 'm' }, measurements, true).phase).toBe('Successful');
    expect(judgeMetric({ name: 'm' }, [], true)).toMatchObject({
      phase: 'Inconclusive',
      message: 'no measurement was taken',
    });
    expect(judgeMetric({ name: 'm' }, series('m', ['Failed']), true).phase).toBe('Failed');
  });

  it('is never Successful without one Successful measurement (too little traffic)', () => {
    const tolerant = { name: 'm', count: 3, inconclusiveLimit: 5 };
    const allInconclusive = series('m', ['Inconclusive', 'Inconclusive', 'Inconclusive']);
    expect(judgeMetric(tolerant, allInconclusive)).toMatchObject({
      phase: 'Inconclusive',
      message: 'no measurement succeeded (3 inconclusive, 0 failed, 0 errors)',
    });
    expect(judgeMetric({ name: 'm', inconclusiveLimit: 5 }, allInconclusive, true).phase).toBe(
      'Inconclusive',
    );
    const oneGood = series('m', ['Inconclusive', 'Successful', 'Inconclusive']);
    expect(judgeMetric(tolerant, oneGood).phase).toBe('Successful');
  });

  it('only reads its own metric', () => {
    expect(judgeMetric({ name: 'a', count: 1 }, series('b', ['Failed'])).phase).toBe('Running');
  });
});

describe('judgeRun', () => {
  const specs = [
    { name: 'errors', count: 2 },
    { name: 'latency', count: 2 },
  ];

  it('is Successful when every metric is, Running while any is still measuring', () => {
    const good = [
      ...series('errors', ['Successful', 'Successful']),
      ...series('latency', ['Successful']),
    ];
    expect(judgeRun(specs, good).phase).toBe('Running');
    const done = [...good, ...series('latency', ['Successful'], 5000)];
    expect(judgeRun(specs, done)).toMatchObject({
      phase: 'Successful',
      message: 'errors: 2 of 2 measurements taken',
    });
  });

  it('fails as soon as one metric fails, even while another is Running', () => {
    const run = judgeRun(specs, [
      ...series('errors', ['Failed']),
      ...series('latency', ['Successful']),
    ]);
    expect(run.phase).toBe('Failed');
    expect(run.message).toBe('errors: 1 failed, more than failureLimit 0; last: failed #1');
  });

  it('never lets a dry-run metric decide, but reports it', () => {
    const run = judgeRun(
      [
        { name: 'errors', count: 1 },
        { name: 'experimental', count: 1, dryRun: true },
      ],
      [...series('errors', ['Successful']), ...series('experimental', ['Failed'])],
    );
    expect(run.phase).toBe('Successful');
    expect(run.metrics.map((m) => m.metric)).toEqual(['errors']);
    expect(run.dryRun).toMatchObject([{ metric: 'experimental', phase: 'Failed', dryRun: true }]);
  });

  it('is Successful with no deciding metric', () => {
    expect(judgeRun([], []).phase).toBe('Successful');
    expect(judgeRun([{ name: 'x', dryRun: true }], series('x', ['Failed'])).phase).toBe(
      'Successful',
    );
  });
});

describe('worstPhase', () => {
  it('orders Failed > Error > Inconclusive > Running > Successful', () => {
    expect(worstPhase(['Successful', 'Running'])).toBe('Running');
    expect(worstPhase(['Running', 'Inconclusive'])).toBe('Inconclusive');
    expect(worstPhase(['Inconclusive', 'Error', 'Successful'])).toBe('Error');
    expect(worstPhase(['Error', 'Failed', 'Running'])).toBe('Failed');
    expect(worstPhase(['Successful'])).toBe('Successful');
  });
});
