import { formatDuration } from '../../config/duration.js';
import { RunLifecycle, describeError as describe, iso } from '../gates/run-lifecycle.js';
import { judgeMeasurement, type Judgement } from './domain/judge-measurement.js';
import { judgeRun, type MetricRunResult } from './domain/judge-run.js';
import type { Measurement, RunPhase } from './domain/measurement.js';
import {
  ProviderError,
  type MeasureContext,
  type MetricProvider,
  type ProviderSpec,
} from './metric-provider.js';
import { planMetrics, type PlannedMetric } from './analysis-plan.js';
import { toMeasurement } from './summarize-run.js';
import type { NamedTemplate, RecordedMeasurement } from './analysis-run.js';
import type { AnalysisRunStore } from './analysis-run-store.js';
import type { Scheduler } from './scheduler.js';

export interface AnalysisRunnerOptions {
  readonly store: AnalysisRunStore;
  readonly provider: MetricProvider;
  readonly scheduler: Scheduler;
  /** Called once when a run leaves Running (after it is persisted); never for `terminating: false`. */
  readonly onFinished?: (runId: string, phase: RunPhase, message: string | undefined) => void;
  /** Where failures that belong to no measurement go (a store write, `onFinished` throwing). */
  readonly onError?: (error: unknown, runId: string) => void;
  /** Deadline of a measurement whose provider spec has no `timeoutMs` (builtin). Default 10s. */
  readonly defaultTimeoutMs?: number;
  /** Added to a spec's own `timeoutMs`, so the provider's clearer timeout message wins. Default 1s. */
  readonly timeoutGraceMs?: number;
}

export interface StartAnalysis {
  readonly deploymentId: string;
  /** `step-2`, `background`, ... */
  readonly name: string;
  readonly templates: readonly NamedTemplate[];
  readonly context: Omit<MeasureContext, 'signal' | 'now'>;
  /** The rollout step at the time of a measurement, recorded with it; null when there is none. */
  readonly stepOf?: () => number | null;
  /**
   * How long a metric's measurements with fewer samples than its `minSampleSize` are taken again
   * instead of counting, from the first of them until one has enough. Null or absent:
   * `defaultSampleWaitMs`.
   */
  readonly sampleWaitMs?: number | null;
}

/** Where a run stands, with per-metric tallies (`MetricRunResult`). */
export interface AnalysisRunStatus {
  readonly id: string;
  readonly phase: RunPhase;
  readonly message?: string;
  readonly finished: boolean;
  readonly metrics: readonly MetricRunResult[];
  readonly dryRun: readonly MetricRunResult[];
}

/** What the runner keeps for a live run; its timers are the lifecycle's, one per metric. */
interface ActiveRun {
  readonly id: string;
  readonly sampleWaitMs: number | null;
  /** By metric key: since when its measurements have had too few samples, without a break. */
  readonly thinSince: Map<string, number>;
  /** By metric key: a measurement with too few samples, waiting to be taken again. */
  readonly waiting: Map<string, RecordedMeasurement>;
  readonly plans: readonly PlannedMetric[];
  readonly context: StartAnalysis['context'];
  readonly stepOf: () => number | null;
  readonly measurements: Measurement[];
  readonly inFlight: Set<AbortController>;
}

type Observed = {
  readonly judgement: Judgement;
  readonly value: unknown;
  readonly sampleSize?: number;
};

/**
 * Runs analysis: measures each metric of a run's templates every `intervalMs` after
 * `initialDelayMs`, judges each value (`judgeMeasurement`), records it, and re-judges the run
 * (`judgeRun`) after every measurement. A value with fewer samples than the metric's
 * `minSampleSize` is no verdict yet: it is not recorded, and is taken again an interval later,
 * after more traffic came (the builtin provider then counts the requests of both intervals).
 * Once a metric's samples have stayed too few for the run's sample wait, from the first thin
 * measurement until one with enough, or when the run is terminated, such a value counts as
 * Inconclusive; never as a pass. When the run leaves Running it is recorded as finished,
 * its timers and in-flight measurements stop, and `onFinished` is called. Creating, timing,
 * finishing and abandoning runs is the shared `RunLifecycle`'s.
 *
 * A run lives in this process: after a restart, a run left unfinished in the store is not resumed
 * here; `resumeRun` (gates/resume-run.ts) closes it and the gate starts again.
 *
 * @example
 * const runId = await runner.start({ deploymentId, name: 'step-2', templates, context });
 * // ... onFinished(runId, 'Failed', 'errors/error-rate: 1 failed, more than failureLimit 0; ...')
 */
export class AnalysisRunner {
  private readonly lifecycle: RunLifecycle<ActiveRun>;

  constructor(private readonly options: AnalysisRunnerOptions) {
    this.lifecycle = new RunLifecycle({ ...options, label: 'analysis run' });
  }

  /** Records a new Running run and schedules its first measurements; returns its id. */
  async start(request: StartAnalysis): Promise<string> {
    const run = await this.lifecycle.create(
      { deploymentId: request.deploymentId, name: request.name, templates: request.templates },
      (id): ActiveRun => ({
        id,
        sampleWaitMs: request.sampleWaitMs ?? null,
        thinSince: new Map(),
        waiting: new Map(),
        plans: planMetrics(request.templates),
        context: request.context,
        stepOf: request.stepOf ?? (() => null),
        measurements: [],
        inFlight: new Set(),
      }),
      (live) => {
        for (const controller of live.inFlight)
          controller.abort(new Error('analysis run finished'));
      },
    );
    if (run.plans.length === 0) {
      this.track(run, this.finish(run, 'Successful', 'no metrics to measure'));
    }
    for (const plan of run.plans) this.schedule(run, plan, plan.initialDelayMs);
    return run.id;
  }

  /**
   * Ends a run before its metrics settle. `terminating: true` (a timed step is over, the rollout
   * finished) judges metrics still Running as Successful, records the verdict and calls
   * `onFinished`. `terminating: false` abandons it (the rollout was aborted or moved on): it is
   * recorded as finished in the phase it had, and `onFinished` is not called. Resolves to the
   * recorded phase, or `undefined` when the run was not running here.
   */
  async stop(
    runId: string,
    options: { readonly terminating: boolean },
  ): Promise<RunPhase | undefined> {
    const run = this.lifecycle.get(runId);
    if (run === undefined) return undefined;
    // Time is up for measurements still waiting for samples: they count as taken, Inconclusive.
    if (options.terminating) {
      for (const recorded of run.waiting.values()) await this.record(run, recorded);
      run.waiting.clear();
    }
    const judgement = judgeRun(this.specs(run), run.measurements, options);
    if (options.terminating) {
      await this.finish(run, judgement.phase, judgement.message);
    } else {
      const message = judgement.message ?? 'stopped before a verdict';
      await this.finish(run, judgement.phase, message, false);
    }
    return judgement.phase;
  }

  /** Abandons every run (see `stop` with `terminating: false`), e.g. when Ferry shuts down. */
  async close(): Promise<void> {
    await this.lifecycle.close((id) => this.stop(id, { terminating: false }));
  }

  /** A run's phase and per-metric tallies, read from the store; `undefined` for an unknown id. */
  async status(runId: string): Promise<AnalysisRunStatus | undefined> {
    const run = await this.options.store.getRun(runId);
    if (run === undefined) return undefined;
    const measurements = await this.options.store.listMeasurements(runId);
    const finished = run.finishedAt !== null;
    const specs = planMetrics(run.templates).map((plan) => plan.runSpec);
    const judged = judgeRun(specs, measurements.map(toMeasurement), { terminating: finished });
    return {
      id: run.id,
      phase: run.phase,
      ...(run.message === null ? {} : { message: run.message }),
      finished,
      metrics: judged.metrics,
      dryRun: judged.dryRun,
    };
  }

  /** Resolves once no measurement or write started by this runner is still under way. */
  async settle(): Promise<void> {
    await this.lifecycle.settle();
  }

  private specs(run: ActiveRun) {
    return run.plans.map((plan) => plan.runSpec);
  }

  private schedule(run: ActiveRun, plan: PlannedMetric, delayMs: number): void {
    this.lifecycle.arm(run.id, plan.key, () => this.track(run, this.measure(run, plan)), delayMs);
  }

  private track(run: ActiveRun, work: Promise<void>): void {
    this.lifecycle.track(run.id, work, (error) => this.fail(run, error));
  }

  /** Whether the run has left the live set (finished or abandoned). */
  private finished(run: ActiveRun): boolean {
    return this.lifecycle.get(run.id) !== run;
  }

  private async fail(run: ActiveRun, error: unknown): Promise<void> {
    if (this.finished(run)) {
      this.lifecycle.report(error, run.id);
      return;
    }
    try {
      await this.finish(run, 'Error', `analysis failed: ${describe(error)}`);
    } catch (again) {
      this.lifecycle.report(again, run.id);
    }
  }

  private async measure(run: ActiveRun, plan: PlannedMetric): Promise<void> {
    const observed = await this.observe(run, plan);
    if (observed === undefined || this.finished(run)) return;
    const at = this.options.scheduler.clock.now();
    const recorded: RecordedMeasurement = {
      runId: run.id,
      metric: plan.key,
      phase: observed.judgement.phase,
      value: observed.value ?? null,
      message: observed.judgement.message ?? null,
      sampleSize: observed.sampleSize ?? null,
      step: run.stepOf(),
      at: iso(at),
    };
    if (observed.judgement.tooFewSamples) {
      const since = run.thinSince.get(plan.key) ?? at;
      run.thinSince.set(plan.key, since);
      if (at < since + (run.sampleWaitMs ?? defaultSampleWaitMs(plan))) {
        // Not a verdict yet: taken again after more traffic came, until the wait is over.
        run.waiting.set(plan.key, recorded);
        this.schedule(run, plan, plan.intervalMs);
        return;
      }
      run.waiting.delete(plan.key);
    } else if (observed.judgement.phase !== 'Error') {
      // Enough samples: a later dip waits afresh. An error says nothing about the traffic.
      run.thinSince.delete(plan.key);
      run.waiting.delete(plan.key);
    }
    await this.record(run, recorded);
    if (this.finished(run)) return;
    const judgement = judgeRun(this.specs(run), run.measurements);
    if (judgement.phase !== 'Running') {
      await this.finish(run, judgement.phase, judgement.message);
      return;
    }
    const metric = [...judgement.metrics, ...judgement.dryRun].find((m) => m.metric === plan.key);
    if (metric?.phase === 'Running') this.schedule(run, plan, plan.intervalMs);
  }

  private async record(run: ActiveRun, recorded: RecordedMeasurement): Promise<void> {
    run.measurements.push(toMeasurement(recorded));
    await this.options.store.appendMeasurement(recorded);
  }

  /** One provider call under a deadline; `undefined` when the run stopped meanwhile. */
  private async observe(run: ActiveRun, plan: PlannedMetric): Promise<Observed | undefined> {
    const controller = new AbortController();
    const timeoutMs = this.deadline(plan.metric.provider);
    const timedOut = new ProviderError(`timed out after ${formatDuration(timeoutMs)}`);
    const cancelTimer = this.options.scheduler.setTimer(
      () => controller.abort(timedOut),
      timeoutMs,
    );
    run.inFlight.add(controller);
    try {
      const now = this.options.scheduler.clock.now();
      const { minSampleSize } = plan.criteria;
      const ctx: MeasureContext = {
        ...run.context,
        signal: controller.signal,
        now,
        ...(minSampleSize === undefined ? {} : { minSampleSize }),
      };
      const result = await untilAborted(
        this.options.provider.measure(plan.metric.provider, ctx),
        controller.signal,
      );
      const judgement = judgeMeasurement(plan.criteria, result);
      return { judgement, value: result.value, sampleSize: result.sampleSize };
    } catch (error) {
      if (controller.signal.aborted && controller.signal.reason !== timedOut) return undefined;
      // A provider must reject with a ProviderError; anything else is still no value, not a verdict.
      return { judgement: { phase: 'Error', message: describe(error) }, value: null };
    } finally {
      cancelTimer();
      run.inFlight.delete(controller);
    }
  }

  private deadline(spec: ProviderSpec): number {
    const grace = this.options.timeoutGraceMs ?? 1000;
    return 'timeoutMs' in spec ? spec.timeoutMs + grace : (this.options.defaultTimeoutMs ?? 10_000);
  }

  private async finish(
    run: ActiveRun,
    phase: RunPhase,
    message: string | undefined,
    notify = true,
  ): Promise<void> {
    if (this.lifecycle.release(run.id) === undefined) return;
    if (notify) await this.lifecycle.finish(run.id, phase, message);
    else await this.lifecycle.abandon(run.id, phase, message ?? 'stopped before a verdict');
  }
}

/**
 * How long a metric waits for `minSampleSize` samples when the run was given no wait: the
 * interval × (`inconclusiveLimit` + 2), so at least two measurements are taken again before
 * one with too few samples counts as Inconclusive.
 */
export function defaultSampleWaitMs(plan: PlannedMetric): number {
  return plan.intervalMs * ((plan.runSpec.inconclusiveLimit ?? 0) + 2);
}

/** The provider's answer, or a rejection with the signal's reason as soon as it aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  // A provider that ignores the signal may still settle later: nobody is waiting for it then.
  work.catch(() => undefined);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
