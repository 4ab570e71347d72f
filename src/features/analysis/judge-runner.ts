import type { JudgeConfig, JudgeMetric } from '../../config/ferry-config.js';
import { RunLifecycle, describeError as describe, iso } from '../gates/run-lifecycle.js';
import type { SampleWindow, TrackSample, TrafficSampler } from '../routing/traffic-samples.js';
import {
  compareCanary,
  type CanaryComparison,
  type CanaryMetricInput,
  type CanaryMetricResult,
  type CanaryVerdict,
  type MetricClassification,
} from './domain/compare-canary.js';
import type { MeasurementPhase, RunPhase } from './domain/measurement.js';
import type { AnalysisRunStore } from './analysis-run-store.js';
import type { Scheduler } from './scheduler.js';

export interface JudgeRunnerOptions {
  readonly store: AnalysisRunStore;
  readonly sampler: TrafficSampler;
  readonly scheduler: Scheduler;
  /** Called once when a run leaves Running (after it is persisted); never for `terminating: false`. */
  readonly onFinished?: (runId: string, phase: RunPhase, message: string | undefined) => void;
  /** Where failures that belong to no verdict go (a store write, `onFinished` throwing). */
  readonly onError?: (error: unknown, runId: string) => void;
}

export interface StartJudge {
  readonly deploymentId: string;
  /** `judge-4`, ... */
  readonly name: string;
  readonly service: string;
  readonly environment: string;
  /** The version expected on the `canary` track; samples of any other are ignored. */
  readonly canaryVersion: string;
  /** The version expected on the `baseline` track; samples of any other are ignored. */
  readonly baselineVersion: string;
  readonly judge: JudgeConfig;
  /** How long to collect samples before judging. */
  readonly durationMs: number;
  /**
   * Looks at what was collected every `intervalMs` before the end and stops at once on a Fail
   * (never passes early). Each look, the last included, tests at α / looks (Bonferroni), so
   * looking often does not make a false failure likelier. Null: one look, at the end.
   */
  readonly intervalMs?: number | null;
  /** The rollout step at the time of the verdict, recorded with its measurements. */
  readonly stepOf?: () => number | null;
}

/** Too little traffic is never a pass: NoData is Inconclusive, like Marginal. */
const verdictPhases: Readonly<Record<CanaryVerdict, RunPhase & MeasurementPhase>> = {
  Pass: 'Successful',
  Marginal: 'Inconclusive',
  Fail: 'Failed',
  NoData: 'Inconclusive',
};

const classificationPhases: Readonly<Record<MetricClassification, MeasurementPhase>> = {
  Pass: 'Successful',
  High: 'Failed',
  Low: 'Failed',
  NoData: 'Inconclusive',
};

/** What the runner keeps for a live run; its timers (`verdict`, `look`) are the lifecycle's. */
interface ActiveJudge {
  readonly id: string;
  readonly request: StartJudge;
  readonly window: SampleWindow;
  readonly stepOf: () => number | null;
  /** Looks in all, the last at the end of the window; each tests at α / looks. */
  readonly looks: number;
  look: number;
}

/** Significance of the whole judgement, shared by its looks. */
const familyAlpha = 0.05;

/**
 * Judges a canary against a baseline started with it, in the manner of Kayenta: collects the
 * router's samples of both tracks for `durationMs`, then compares them (`compareCanary`) and
 * records one measurement per judge metric, a `judge/score` measurement and the verdict as an
 * analysis run. Pass is Successful, Fail is Failed, Marginal and NoData are Inconclusive.
 * Creating, timing, finishing and abandoning runs is the shared `RunLifecycle`'s.
 *
 * A run lives in this process: after a restart, a run left unfinished in the store is not resumed
 * here; `resumeRun` (gates/resume-run.ts) closes it and the gate starts again.
 *
 * @example
 * const runId = await runner.start({ deploymentId, name: 'judge-4', service: 'web',
 *   environment: 'prod', canaryVersion: 'v2', baselineVersion: 'v1', judge, durationMs: 300_000 });
 * // ... onFinished(runId, 'Failed', 'score 0 (Fail, pass ≥ 95, marginal ≥ 75): latency High: ...')
 */
export class JudgeRunner {
  private readonly lifecycle: RunLifecycle<ActiveJudge>;

  constructor(private readonly options: JudgeRunnerOptions) {
    this.lifecycle = new RunLifecycle({ ...options, label: 'judge run' });
  }

  /** Opens a sample window, records a new Running run and schedules its verdict; returns its id. */
  async start(request: StartJudge): Promise<string> {
    const window = this.options.sampler.open(request.service, request.environment);
    const interval = request.intervalMs ?? null;
    const looks =
      interval !== null && interval > 0 && interval < request.durationMs
        ? Math.ceil(request.durationMs / interval)
        : 1;
    const run = await this.lifecycle.create(
      { deploymentId: request.deploymentId, name: request.name },
      (id): ActiveJudge => ({
        id,
        request,
        window,
        stepOf: request.stepOf ?? (() => null),
        looks,
        look: 0,
      }),
      (live) => live.window.close(),
    );
    this.lifecycle.arm(
      run.id,
      'verdict',
      () => this.track(run, this.judge(run)),
      request.durationMs,
    );
    if (looks > 1) this.scheduleLook(run, interval!);
    return run.id;
  }

  /**
   * Ends a run before its window is over. `terminating: true` (the step was cut short, the
   * rollout finished) judges what was collected so far, records the verdict and calls
   * `onFinished`. `terminating: false` abandons it (the rollout was aborted or moved on): it is
   * recorded as finished in phase Running, and `onFinished` is not called. Either way the window
   * closes. Resolves to the recorded phase, or `undefined` when the run was not running here.
   */
  async stop(
    runId: string,
    options: { readonly terminating: boolean },
  ): Promise<RunPhase | undefined> {
    const run = this.lifecycle.get(runId);
    if (run === undefined) return undefined;
    if (options.terminating) return this.judge(run);
    this.lifecycle.release(run.id);
    await this.lifecycle.abandon(run.id, 'Running', 'stopped before a verdict');
    return 'Running';
  }

  /** Abandons every run (see `stop` with `terminating: false`), e.g. when Ferry shuts down. */
  async close(): Promise<void> {
    await this.lifecycle.close((id) => this.stop(id, { terminating: false }));
  }

  /** Resolves once no verdict or write started by this runner is still under way. */
  async settle(): Promise<void> {
    await this.lifecycle.settle();
  }

  /** An interim look: a Fail ends the run now; anything else waits for more samples. */
  private scheduleLook(run: ActiveJudge, intervalMs: number): void {
    const look = () => {
      run.look += 1;
      if (run.look < run.looks - 1) this.scheduleLook(run, intervalMs);
      this.track(run, this.lookAt(run));
    };
    this.lifecycle.arm(run.id, 'look', look, intervalMs);
  }

  private async lookAt(run: ActiveJudge): Promise<void> {
    let failed = false;
    try {
      failed = (await this.compare(run)).comparison.verdict === 'Fail';
    } catch (error) {
      this.lifecycle.report(error, run.id);
    }
    // The verdict may have come while the window was read.
    if (failed && this.lifecycle.get(run.id) === run) await this.judge(run);
  }

  /** What the window holds now, compared at this run's share of α. */
  private async compare(run: ActiveJudge) {
    const { request } = run;
    const samples = await run.window.read();
    const canary = expected(samples.canary, request.canaryVersion);
    const baseline = expected(samples.baseline, request.baselineVersion);
    const comparison = compareCanary(
      request.judge.metrics.map((metric) => metricInput(metric, baseline, canary)),
      { ...request.judge, alpha: familyAlpha / run.looks },
    );
    return { samples, comparison };
  }

  private track(run: ActiveJudge, work: Promise<unknown>): void {
    this.lifecycle.track(run.id, work);
  }

  /** Compares what the window collected and records the verdict; never rejects. */
  private async judge(run: ActiveJudge): Promise<RunPhase> {
    this.lifecycle.release(run.id);
    try {
      const { request } = run;
      const { samples, comparison } = await this.compare(run);
      await this.recordMeasurements(run, comparison);
      const notes = [
        mismatch('canary', samples.canary, request.canaryVersion),
        mismatch('baseline', samples.baseline, request.baselineVersion),
      ].filter((note) => note !== undefined);
      // A metric without enough data cannot vouch for the canary: at best Inconclusive.
      const short = comparison.metrics.filter((m) => m.classification === 'NoData');
      const capped = comparison.verdict === 'Pass' && short.length > 0;
      if (capped) {
        notes.push(`not enough data for ${short.map((m) => m.name).join(', ')}: not a pass`);
      }
      if (run.looks > 1) {
        const at = run.look < run.looks - 1 ? `look ${run.look} of ${run.looks}` : 'final look';
        notes.push(`${at}, each at α ${(familyAlpha / run.looks).toPrecision(2)}`);
      }
      const message = [summary(comparison, request.judge), ...notes].join('; ');
      const phase = capped ? 'Inconclusive' : verdictPhases[comparison.verdict];
      await this.lifecycle.finish(run.id, phase, message);
      return phase;
    } catch (error) {
      // `finish` reports `onFinished` failures itself: reaching here, nothing was recorded yet.
      try {
        await this.lifecycle.finish(run.id, 'Error', `judge failed: ${describe(error)}`);
      } catch (again) {
        this.lifecycle.report(again, run.id);
      }
      return 'Error';
    }
  }

  private async recordMeasurements(run: ActiveJudge, comparison: CanaryComparison): Promise<void> {
    const at = iso(this.options.scheduler.clock.now());
    const step = run.stepOf();
    for (const result of comparison.metrics) {
      await this.options.store.appendMeasurement({
        runId: run.id,
        metric: `judge/${result.name}`,
        phase: classificationPhases[result.classification],
        value: {
          classification: result.classification,
          pValue: result.pValue,
          effectSize: result.effectSize,
          baseline: result.baseline,
          canary: result.canary,
        },
        message: result.reason,
        sampleSize: Math.min(result.baseline.count, result.canary.count),
        step,
        at,
      });
    }
    await this.options.store.appendMeasurement({
      runId: run.id,
      metric: 'judge/score',
      phase: verdictPhases[comparison.verdict],
      value: comparison.score,
      message: thresholds(comparison, run.request.judge),
      sampleSize: null,
      step,
      at,
    });
  }
}

/** A track's samples when it served the expected version; otherwise it counts as none. */
function expected(sample: TrackSample | undefined, version: string): TrackSample | undefined {
  return sample?.version === version ? sample : undefined;
}

function mismatch(
  track: 'canary' | 'baseline',
  sample: TrackSample | undefined,
  version: string,
): string | undefined {
  if (sample === undefined || sample.version === version) return undefined;
  return `the ${track} track served version ${sample.version}, not ${version}: its samples were ignored`;
}

function metricInput(
  metric: JudgeMetric,
  baseline: TrackSample | undefined,
  canary: TrackSample | undefined,
): CanaryMetricInput {
  const { name, direction, critical, effectSizeTolerance, minSampleSize } = metric;
  const base = {
    name,
    direction,
    critical,
    effectSizeTolerance,
    ...(minSampleSize === undefined ? {} : { minSampleSize }),
  };
  if (metric.kind === 'latency') {
    return {
      ...base,
      kind: 'latency',
      baseline: baseline?.latenciesMs ?? [],
      canary: canary?.latenciesMs ?? [],
    };
  }
  const proportion = (sample: TrackSample | undefined) => ({
    events: sample?.errors5xx ?? 0,
    total: sample?.requests ?? 0,
  });
  return { ...base, kind: 'errorRate', baseline: proportion(baseline), canary: proportion(canary) };
}

function thresholds(comparison: CanaryComparison, judge: JudgeConfig): string {
  return `${comparison.verdict}, pass ≥ ${judge.passThreshold}, marginal ≥ ${judge.marginalThreshold}`;
}

/**
 * `score 50 (Fail, pass ≥ 95, marginal ≥ 75): latency High: canary median +31.2% (...)`: the
 * failing metrics when some failed, otherwise every metric.
 */
function summary(comparison: CanaryComparison, judge: JudgeConfig): string {
  const failing = comparison.metrics.filter(
    (m) => m.classification === 'High' || m.classification === 'Low',
  );
  const shown = failing.length > 0 ? failing : comparison.metrics;
  const score = Number.isInteger(comparison.score)
    ? String(comparison.score)
    : comparison.score.toFixed(1);
  return `score ${score} (${thresholds(comparison, judge)}): ${shown.map(line).join('; ')}`;
}

function line(result: CanaryMetricResult): string {
  return `${result.name} ${result.classification}: ${result.reason}`;
}
