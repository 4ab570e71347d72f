import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JudgeConfig } from '../../config/ferry-config.js';
import { openSqlite } from '../../store/open-sqlite.js';
import type { Database } from '../../store/schema.js';
import type { Track } from '../routing/traffic-router.js';
import type { SampleWindow, TrackSample, TrafficSampler } from '../routing/traffic-samples.js';
import type { RunPhase } from './domain/measurement.js';
import { JudgeRunner, type StartJudge } from './judge-runner.js';
import { KyselyAnalysisRunStore } from './kysely-analysis-run-store.js';
import { ManualScheduler } from './manual-scheduler.js';

type Traffic = Partial<Record<Track, TrackSample>>;

/** A window that reports whatever its sampler serves, frozen once closed. */
class FakeWindow implements SampleWindow {
  closed = false;
  private frozen: Traffic = {};
  constructor(
    readonly service: string,
    readonly environment: string,
    private readonly sampler: FakeSampler,
  ) {}

  read(): Traffic {
    if (this.sampler.failure) throw this.sampler.failure;
    return this.closed ? this.frozen : this.sampler.traffic;
  }

  close(): void {
    if (this.closed) return;
    this.frozen = this.sampler.traffic;
    this.closed = true;
  }
}

/** Serves `traffic` (or throws `failure` on read) to every window; records the windows it opened. */
class FakeSampler implements TrafficSampler {
  readonly windows: FakeWindow[] = [];
  traffic: Traffic = {};
  failure: Error | undefined;

  open(service: string, environment: string): SampleWindow {
    const window = new FakeWindow(service, environment, this);
    this.windows.push(window);
    return window;
  }
}

/** Deterministic lognormal-ish latencies (ms) around `medianMs`: a seeded LCG and Box-Muller. */
function latencies(seed: number, count: number, medianMs: number, sigma = 0.3): number[] {
  let state = seed >>> 0;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 1) / 4294967297;
  };
  return Array.from({ length: count }, () => {
    const z = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    return Math.round(medianMs * Math.exp(sigma * z) * 100) / 100;
  });
}

function track(version: string, latenciesMs: readonly number[], errors5xx = 0): TrackSample {
  return { version, requests: latenciesMs.length, errors5xx, latenciesMs };
}

const judge: JudgeConfig = {
  passThreshold: 95,
  marginalThreshold: 75,
  metrics: [
    {
      name: 'latency',
      kind: 'latency',
      direction: 'increase',
      critical: false,
      effectSizeTolerance: 0.1,
    },
    {
      name: 'errors',
      kind: 'errorRate',
      direction: 'increase',
      critical: false,
      effectSizeTolerance: 0.01,
    },
  ],
};

const request: StartJudge = {
  deploymentId: 'dep-1',
  name: 'judge-4',
  service: 'web',
  environment: 'prod',
  canaryVersion: 'v2',
  baselineVersion: 'v1',
  judge,
  durationMs: 60_000,
};

const start = Date.parse('2025-06-01T12:00:00Z');
const minuteLater = '2025-06-01T12:01:00.000Z';

let dir: string;
let db: Kysely<Database>;
let store: KyselyAnalysisRunStore;
let scheduler: ManualScheduler;
let sampler: FakeSampler;
let finished: [string, RunPhase, string | undefined][];
let errors: unknown[];
let runner: JudgeRunner;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-judge-'));
  db = await openSqlite(join(dir, 'ferry.db'));
  store = new KyselyAnalysisRunStore(db);
  scheduler = new ManualScheduler(start);
  sampler = new FakeSampler();
  finished = [];
  errors = [];
  runner = new JudgeRunner({
    store,
    sampler,
    scheduler,
    onFinished: (...args) => finished.push(args),
    onError: (error) => errors.push(error),
  });
});

afterEach(async () => {
  await runner.close();
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const advance = (ms: number) => scheduler.advance(ms, () => runner.settle());

describe('JudgeRunner', () => {
  it('fails a canary whose latency is 30% higher, after the window, with a High measurement', async () => {
    sampler.traffic = {
      baseline: track('v1', latencies(1, 300, 100)),
      canary: track('v2', latencies(2, 300, 130)),
      stable: track('v1', latencies(3, 900, 100)),
    };
    const runId = await runner.start({ ...request, stepOf: () => 3 });
    expect(await store.getRun(runId)).toMatchObject({
      name: 'judge-4',
      templates: [],
      phase: 'Running',
      finishedAt: null,
      overriddenBy: null,
    });
    expect(sampler.windows).toMatchObject([{ service: 'web', environment: 'prod' }]);

    await advance(59_999);
    expect(finished).toEqual([]);
    expect(sampler.windows[0]?.closed).toBe(false);

    await advance(1);
    expect(finished).toHaveLength(1);
    const [id, phase, message] = finished[0] ?? [];
    expect([id, phase]).toEqual([runId, 'Failed']);
    expect(message).toMatch(
      /^score 50 \(Fail, pass ≥ 95, marginal ≥ 75\): latency High: canary median \+\d+\.\d% \(p = [\d.e-]+\): beyond tolerance 10\.0%, significant at 0\.05$/,
    );
    expect(sampler.windows[0]?.closed).toBe(true);
    expect(await store.getRun(runId)).toMatchObject({
      phase: 'Failed',
      message,
      finishedAt: minuteLater,
    });

    const [latency, errorRate, score] = await store.listMeasurements(runId);
    expect(latency).toMatchObject({
      metric: 'judge/latency',
      phase: 'Failed',
      sampleSize: 300,
      step: 3,
      at: minuteLater,
      value: {
        classification: 'High',
        baseline: { count: 300 },
        canary: { count: 300 },
      },
    });
    const value = latency?.value as { pValue: number; effectSize: number };
    expect(value.pValue).toBeLessThan(1e-6);
    expect(value.effectSize).toBeGreaterThan(0.2);
    expect(value.effectSize).toBeLessThan(0.4);
    expect(errorRate).toMatchObject({ metric: 'judge/errors', phase: 'Successful', step: 3 });
    expect(score).toMatchObject({
      metric: 'judge/score',
      phase: 'Failed',
      value: 50,
      message: 'Fail, pass ≥ 95, marginal ≥ 75',
      sampleSize: null,
      step: 3,
      at: minuteLater,
    });
  });

  it('passes a canary drawn from the same distribution as the baseline', async () => {
    sampler.traffic = {
      baseline: track('v1', latencies(11, 300, 100)),
      canary: track('v2', latencies(12, 300, 100)),
    };
    const runId = await runner.start(request);
    await advance(60_000);

    expect(finished.map(([id, phase]) => [id, phase])).toEqual([[runId, 'Successful']]);
    expect(finished[0]?.[2]).toMatch(
      /^score 100 \(Pass, pass ≥ 95, marginal ≥ 75\): latency Pass: .*; errors Pass: /,
    );
    const measurements = await store.listMeasurements(runId);
    expect(measurements.map((m) => [m.metric, m.phase, m.value])).toEqual([
      ['judge/latency', 'Successful', expect.objectContaining({ classification: 'Pass' })],
      ['judge/errors', 'Successful', expect.objectContaining({ classification: 'Pass' })],
      ['judge/score', 'Successful', 100],
    ]);
  });

  it('does not pass a canary when one metric had too little data, even if the rest passed', async () => {
    // 60 requests a side: enough for latency (20), not for the error rate (100).
    sampler.traffic = {
      baseline: track('v1', latencies(21, 60, 100)),
      canary: track('v2', latencies(22, 60, 100), 30),
    };
    const runId = await runner.start(request);
    await advance(60_000);
    expect(finished.map(([id, phase]) => [id, phase])).toEqual([[runId, 'Inconclusive']]);
    expect(finished[0]?.[2]).toMatch(/not enough data for errors: not a pass$/);
  });

  it('is Inconclusive, never Successful, on too little traffic', async () => {
    sampler.traffic = {
      baseline: track('v1', latencies(1, 10, 100)),
      canary: track('v2', latencies(2, 10, 100)),
    };
    const runId = await runner.start(request);
    await advance(60_000);

    expect(finished).toEqual([
      [
        runId,
        'Inconclusive',
        'score 0 (NoData, pass ≥ 95, marginal ≥ 75): ' +
          'latency NoData: baseline has 10 samples, fewer than the 20 needed; ' +
          'errors NoData: baseline has 10 samples, fewer than the 100 needed',
      ],
    ]);
    const measurements = await store.listMeasurements(runId);
    expect(measurements.map((m) => [m.metric, m.phase, m.sampleSize])).toEqual([
      ['judge/latency', 'Inconclusive', 10],
      ['judge/errors', 'Inconclusive', 10],
      ['judge/score', 'Inconclusive', null],
    ]);
  });

  it('fails a canary with 5% errors against a baseline with 0.5% over 2,000 requests', async () => {
    const errorsOnly: JudgeConfig = { ...judge, metrics: judge.metrics.slice(1) };
    sampler.traffic = {
      baseline: { version: 'v1', requests: 2000, errors5xx: 10, latenciesMs: [] },
      canary: { version: 'v2', requests: 2000, errors5xx: 100, latenciesMs: [] },
    };
    const runId = await runner.start({ ...request, judge: errorsOnly });
    await advance(60_000);

    expect(finished).toEqual([
      [
        runId,
        'Failed',
        expect.stringMatching(
          /^score 0 \(Fail, pass ≥ 95, marginal ≥ 75\): errors High: canary error rate \+4\.50 points \(p = [\d.e-]+\): beyond tolerance 1\.00 points, significant at 0\.05$/,
        ),
      ],
    ]);
    const [errorRate] = await store.listMeasurements(runId);
    expect(errorRate).toMatchObject({
      metric: 'judge/errors',
      phase: 'Failed',
      sampleSize: 2000,
      value: {
        classification: 'High',
        baseline: { count: 2000, value: 0.005 },
        canary: { count: 2000, value: 0.05 },
      },
    });
    const value = errorRate?.value as { pValue: number; effectSize: number };
    expect(value.pValue).toBeLessThan(1e-6);
    expect(value.effectSize).toBeCloseTo(0.045, 10);
  });

  it('ignores a canary track serving another version: no data, Inconclusive', async () => {
    sampler.traffic = {
      baseline: track('v1', latencies(1, 300, 100)),
      canary: track('v1', latencies(2, 300, 100)),
    };
    const runId = await runner.start(request);
    await advance(60_000);

    expect(finished).toEqual([
      [
        runId,
        'Inconclusive',
        'score 0 (NoData, pass ≥ 95, marginal ≥ 75): ' +
          'latency NoData: canary has 0 samples, fewer than the 20 needed; ' +
          'errors NoData: canary has 0 samples, fewer than the 100 needed; ' +
          'the canary track served version v1, not v2: its samples were ignored',
      ],
    ]);
  });

  it('abandons a run on stop with terminating: false: no verdict, no onFinished, window closed', async () => {
    sampler.traffic = {
      baseline: track('v1', latencies(1, 300, 100)),
      canary: track('v2', latencies(2, 300, 130)),
    };
    const runId = await runner.start(request);
    await advance(20_000);

    expect(await runner.stop(runId, { terminating: false })).toBe('Running');
    expect(sampler.windows[0]?.closed).toBe(true);
    expect(await store.getRun(runId)).toMatchObject({
      phase: 'Running',
      message: 'stopped before a verdict',
      finishedAt: '2025-06-01T12:00:20.000Z',
    });

    await advance(60_000);
    expect(finished).toEqual([]);
    expect(await store.listMeasurements(runId)).toEqual([]);
    expect(await runner.stop(runId, { terminating: true })).toBeUndefined();
  });

  it('judges what was collected so far on stop with terminating: true', async () => {
    sampler.traffic = {
      baseline: track('v1', latencies(1, 300, 100)),
      canary: track('v2', latencies(2, 300, 130)),
    };
    const runId = await runner.start(request);
    await advance(20_000);

    expect(await runner.stop(runId, { terminating: true })).toBe('Failed');
    expect(finished.map(([id, phase]) => [id, phase])).toEqual([[runId, 'Failed']]);
    expect(sampler.windows[0]?.closed).toBe(true);
    const measurements = await store.listMeasurements(runId);
    expect(measurements.map((m) => m.at)).toEqual(Array(3).fill('2025-06-01T12:00:20.000Z'));

    await advance(60_000);
    expect(finished).toHaveLength(1);
  });

  it('records an Error when the samples cannot be read', async () => {
    sampler.failure = new Error('router is gone');
    const runId = await runner.start(request);
    await advance(60_000);

    expect(finished).toEqual([[runId, 'Error', 'judge failed: router is gone']]);
    expect(await store.listMeasurements(runId)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('abandons every running run and closes its window on close', async () => {
    const first = await runner.start(request);
    const second = await runner.start({ ...request, name: 'judge-5' });
    await runner.close();

    expect(sampler.windows.map((w) => w.closed)).toEqual([true, true]);
    for (const id of [first, second]) {
      expect(await store.getRun(id)).toMatchObject({
        phase: 'Running',
        message: 'stopped before a verdict',
        finishedAt: '2025-06-01T12:00:00.000Z',
      });
    }
    await advance(60_000);
    expect(finished).toEqual([]);
  });
});

describe('JudgeRunner with interim looks', () => {
  const looking = { ...request, intervalMs: 15_000 };

  it('stops at the first look that fails, long before the window ends', async () => {
    sampler.traffic = {
      baseline: track('v1', latencies(31, 300, 100)),
      canary: track('v2', latencies(32, 300, 130)),
    };
    const runId = await runner.start(looking);
    await advance(14_999);
    expect(finished).toEqual([]);
    await advance(1);
    expect(finished.map(([id, phase]) => [id, phase])).toEqual([[runId, 'Failed']]);
    expect(finished[0]?.[2]).toMatch(/latency High: .*; look 1 of 4, each at α 0\.013$/);
    expect(sampler.windows[0]?.closed).toBe(true);
  });

  it('never passes early: a healthy canary is judged at the end, every look at α / looks', async () => {
    sampler.traffic = {
      baseline: track('v1', latencies(41, 300, 100)),
      canary: track('v2', latencies(42, 300, 100)),
    };
    const runId = await runner.start(looking);
    await advance(59_999);
    expect(finished).toEqual([]);
    await advance(1);
    expect(finished.map(([id, phase]) => [id, phase])).toEqual([[runId, 'Successful']]);
    expect(finished[0]?.[2]).toMatch(/final look, each at α 0\.013$/);
    // One verdict recorded, at the end: interim looks leave no measurements.
    expect((await store.listMeasurements(runId)).map((m) => m.metric)).toEqual([
      'judge/latency',
      'judge/errors',
      'judge/score',
    ]);
  });
});
