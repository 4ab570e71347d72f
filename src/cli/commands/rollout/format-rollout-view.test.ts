import { describe, expect, it } from 'vitest';
import type { AnalysisRunView } from '../../../features/deployments/rollout-view.js';
import { formatAnalysis, formatRolloutView } from './format-rollout-view.js';
import { rolloutViewFixture } from './test-rollout-fixtures.js';

type MetricView = AnalysisRunView['metrics'][number];
type MeasurementView = MetricView['measurements'][number];

const at = (seconds: number) => `2025-06-01T12:00:${String(seconds).padStart(2, '0')}.000Z`;

function measurement(value: unknown, overrides: Partial<MeasurementView> = {}): MeasurementView {
  return {
    at: at(5),
    step: 2,
    phase: 'Successful',
    value,
    sampleSize: 500,
    message: null,
    ...overrides,
  };
}

function metric(name: string, overrides: Partial<MetricView> = {}): MetricView {
  return {
    name,
    phase: 'Running',
    dryRun: false,
    count: 0,
    successful: 0,
    failed: 0,
    inconclusive: 0,
    error: 0,
    consecutiveError: 0,
    measurements: [],
    ...overrides,
  };
}

function run(name: string, overrides: Partial<AnalysisRunView> = {}): AnalysisRunView {
  return {
    id: `ana-${name}`,
    name,
    phase: 'Running',
    message: null,
    startedAt: at(0),
    finishedAt: null,
    overriddenBy: null,
    metrics: [],
    ...overrides,
  };
}

const failedStep = run('step-3', {
  phase: 'Failed',
  message: 'errors/error-rate: 2 failed, more than failureLimit 1; last: 0.31 is above max 0.05',
  startedAt: at(5),
  finishedAt: at(9),
  metrics: [
    metric('errors/error-rate', {
      phase: 'Failed',
      count: 2,
      failed: 2,
      message: '2 failed, more than failureLimit 1; last: 0.31 is above max 0.05',
      measurements: [
        measurement(0.28, { phase: 'Failed', message: '0.28 is above max 0.05' }),
        measurement(0.31, { phase: 'Failed', message: '0.31 is above max 0.05' }),
      ],
    }),
    metric('latency/p99', {
      phase: 'Successful',
      dryRun: true,
      count: 2,
      successful: 2,
      message: 'run terminated before the metric settled',
      measurements: [measurement(120.25), measurement(131)],
    }),
  ],
});

describe('formatRolloutView', () => {
  it('prints the analysis runs after the tracks, one line per run and per metric', () => {
    const background = run('background', {
      metrics: [metric('errors/error-rate')],
    });
    const text = formatRolloutView(rolloutViewFixture({ analysis: [failedStep, background] }));
    expect(text).toBe(
      [
        'web prod: dep-7 v2 Paused (paused at step 2/3: run "ferry rollout promote" to go on)',
        'canary, 3 steps:',
        '✓ 1. setWeight 10%',
        '▶ 2. pause (until promoted)',
        '  3. setWeight 50%',
        'traffic: canary 10% · header x-canary exact "yes" · mirror 50%',
        '',
        'TRACK   VERSION  READY  REQUESTS  5XX  P50   P95     P99   BY-HEADER  BY-COOKIE',
        'stable  v1       2/2    1200      3    12ms  40.3ms  81ms  0          0',
        'canary  v2       1/1    -         -    -     -       -     -          -',
        'mirror: 600 sent, 3 skipped, 1 failed',
        '',
        'Analysis:',
        'step-3      Failed   12:00:05–12:00:09  errors/error-rate: 2 failed, more than failureLimit 1; last: 0.31 is above max 0.05',
        '  errors/error-rate  Failed      0.28 0.31  (2 failed / 2)',
        '  latency/p99        Successful  120.3 131  (2 successful / 2, dry run)',
        'background  Running  since 12:00:00',
        '  errors/error-rate  Running  (no measurements yet)',
        '',
      ].join('\n'),
    );
  });

  it('shows the requests each match routed and what mirroring came to, only when in use', () => {
    const [stable, canary] = rolloutViewFixture().tracks;
    const served = { ...canary!, requests: 130, errors5xx: 0, p50Ms: 9, p95Ms: 31, p99Ms: 70 };
    const matched = formatRolloutView(
      rolloutViewFixture({
        tracks: [stable!, { ...served, headerMatches: 40, cookieMatches: 2 }],
        mirror: { sent: 120, skipped: 3, failed: 2 },
      }),
    );
    const plain = rolloutViewFixture().traffic!;
    const neither = formatRolloutView(
      rolloutViewFixture({
        traffic: { ...plain, matches: [], mirrorPercent: 0 },
        tracks: [stable!, { ...served, headerMatches: 0, cookieMatches: 0 }],
        mirror: { sent: 0, skipped: 0, failed: 0 },
      }),
    );

    expect(matched).toContain(
      [
        'TRACK   VERSION  READY  REQUESTS  5XX  P50   P95     P99   BY-HEADER  BY-COOKIE',
        'stable  v1       2/2    1200      3    12ms  40.3ms  81ms  0          0',
        'canary  v2       1/1    130       0    9ms   31ms    70ms  40         2',
        'mirror: 120 sent, 3 skipped, 2 failed',
        '',
      ].join('\n'),
    );
    expect(neither).toContain(
      [
        'TRACK   VERSION  READY  REQUESTS  5XX  P50   P95     P99',
        'stable  v1       2/2    1200      3    12ms  40.3ms  81ms',
        'canary  v2       1/1    130       0    9ms   31ms    70ms',
        '',
      ].join('\n'),
    );
    expect(neither).not.toContain('mirror:');
  });

  it('prints no analysis section when the server sent none or there is no run yet', () => {
    const without = formatRolloutView(rolloutViewFixture());
    expect(without).not.toContain('Analysis');
    expect(formatRolloutView(rolloutViewFixture({ analysis: [] }))).toBe(without);
  });
});

describe('formatAnalysis', () => {
  it('shows the last five values with at most four significant digits', () => {
    const values = [1, 2, 0.123456, 1234567, -0.000012346, null, { p99: 120, tags: ['a', 'b'] }];
    const text = formatAnalysis([
      run('post-deploy', {
        metrics: [
          metric('checks/status', {
            count: 5,
            successful: 4,
            inconclusive: 1,
            error: 2,
            consecutiveError: 0,
            measurements: values.map((value) => measurement(value)),
          }),
        ],
      }),
    ]);
    expect(text).toBe(
      [
        'Analysis:',
        'post-deploy  Running  since 12:00:00',
        '  checks/status  Running  0.1235 1235000 -0.00001235 - {"p99":120,"tag…  (4 successful, 1 inconclusive, 2 errors / 7)',
        '',
      ].join('\n'),
    );
  });

  it('says who let the rollout go on past an Inconclusive run', () => {
    const inconclusive = run('pre-promotion', {
      phase: 'Inconclusive',
      message: 'errors/error-rate: 1 inconclusive, more than inconclusiveLimit 0',
      finishedAt: at(30),
      overriddenBy: 'user:local',
      metrics: [
        metric('errors/error-rate', {
          phase: 'Inconclusive',
          count: 1,
          inconclusive: 1,
          measurements: [measurement(0.02, { phase: 'Inconclusive' })],
        }),
      ],
    });
    expect(formatAnalysis([inconclusive])).toBe(
      [
        'Analysis:',
        'pre-promotion  Inconclusive  12:00:00–12:00:30  errors/error-rate: 1 inconclusive, more than inconclusiveLimit 0; overridden by user:local',
        '  errors/error-rate  Inconclusive  0.02  (1 inconclusive / 1)',
        '',
      ].join('\n'),
    );
  });
});
