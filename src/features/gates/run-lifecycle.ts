import { newId } from '../../shared/ids.js';
import type { NamedTemplate } from '../analysis/analysis-run.js';
import type { AnalysisRunStore } from '../analysis/analysis-run-store.js';
import type { RunPhase } from '../analysis/domain/measurement.js';
import type { Scheduler } from '../analysis/scheduler.js';

export interface RunLifecycleOptions {
  readonly store: AnalysisRunStore;
  readonly scheduler: Scheduler;
  /** Called once when a run ends with a verdict (after it is persisted); never when abandoned. */
  readonly onFinished?: (runId: string, phase: RunPhase, message: string | undefined) => void;
  /** Where failures that belong to no verdict go (a store write, `onFinished` throwing). */
  readonly onError?: (error: unknown, runId: string) => void;
  /** How a warning names a run when there is no `onError`: `analysis run`, `judge run`. */
  readonly label: string;
}

/** What identifies a new run in the store. */
export interface NewRun {
  readonly deploymentId: string;
  readonly name: string;
  readonly templates?: readonly NamedTemplate[];
}

interface Live<T> {
  readonly state: T;
  /** By key: cancels a timer armed for the run. */
  readonly timers: Map<string, () => void>;
  /** Frees what the run holds besides its timers (in-flight calls, a sample window). */
  readonly release: (state: T) => void;
}

/**
 * The life of a gate's runs in this process, shared by every executor: a run is created as a
 * Running row, arms timers through the scheduler, and leaves the live set exactly once, either
 * finished with a verdict (persisted, then `onFinished`) or abandoned (persisted in the phase it
 * had, no `onFinished`); either way its timers are cancelled. `T` is what the executor keeps for
 * a live run (its metrics, its sample window).
 *
 * @example
 * const run = await lifecycle.create({ deploymentId, name: 'judge-4' }, (id) => ({ id, window }),
 *   (live) => live.window.close());
 * lifecycle.arm(run.id, 'verdict', () => lifecycle.track(run.id, judge(run)), durationMs);
 */
export class RunLifecycle<T> {
  private readonly live = new Map<string, Live<T>>();
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: RunLifecycleOptions) {}

  get clock() {
    return this.options.scheduler.clock;
  }

  /**
   * Records a new Running run and makes it live with the state `stateOf` builds for its id;
   * returns the state. When the row cannot be written, `release` frees what was taken for it and
   * the error is thrown.
   */
  async create(
    run: NewRun,
    stateOf: (id: string) => T,
    release: (state: T) => void = () => undefined,
  ): Promise<T> {
    const now = this.clock.now();
    const id = newId('ana', now);
    const state = stateOf(id);
    try {
      await this.options.store.createRun({
        id,
        deploymentId: run.deploymentId,
        name: run.name,
        templates: run.templates ?? [],
        phase: 'Running',
        message: null,
        startedAt: iso(now),
        finishedAt: null,
        overriddenBy: null,
      });
    } catch (error) {
      release(state);
      throw error;
    }
    this.live.set(id, { state, timers: new Map(), release });
    return state;
  }

  /** What the executor keeps for a live run; undefined once it finished or was abandoned. */
  get(runId: string): T | undefined {
    return this.live.get(runId)?.state;
  }

  /** The live runs' ids. */
  ids(): string[] {
    return [...this.live.keys()];
  }

  /**
   * Calls `fn` after `ms` unless the run has left the live set by then; `key` names the timer
   * (arming a key again replaces it). A timer that fires is no longer armed when `fn` runs.
   */
  arm(runId: string, key: string, fn: () => void, ms: number): void {
    const run = this.live.get(runId);
    if (!run) return;
    run.timers.get(key)?.();
    const cancel = this.options.scheduler.setTimer(() => {
      run.timers.delete(key);
      if (this.live.get(runId) === run) fn();
    }, ms);
    run.timers.set(key, cancel);
  }

  /** Cancels the run's timer `key`, if armed. */
  disarm(runId: string, key: string): void {
    const run = this.live.get(runId);
    run?.timers.get(key)?.();
    run?.timers.delete(key);
  }

  /**
   * Takes the run out of the live set: its timers are cancelled and what it holds is freed.
   * Returns its state, or undefined when it was not live (it ended already): whoever gets the
   * state is the one who records how it ended.
   */
  release(runId: string): T | undefined {
    const run = this.live.get(runId);
    if (!run) return undefined;
    this.live.delete(runId);
    for (const cancel of run.timers.values()) cancel();
    run.timers.clear();
    try {
      run.release(run.state);
    } catch (error) {
      this.report(error, runId);
    }
    return run.state;
  }

  /** Records a released run's verdict, then calls `onFinished` (whose failure is reported). */
  async finish(runId: string, phase: RunPhase, message: string | undefined): Promise<void> {
    await this.options.store.finishRun(runId, phase, message ?? null, iso(this.clock.now()));
    try {
      this.options.onFinished?.(runId, phase, message);
    } catch (error) {
      this.report(error, runId);
    }
  }

  /** Records a released run as ended without a verdict, in `phase` (the one it had). */
  async abandon(runId: string, phase: RunPhase, message: string): Promise<void> {
    await this.options.store.finishRun(runId, phase, message, iso(this.clock.now()));
  }

  /** Keeps `work` until it settles (see `settle`); its failure goes to `onFailure` or is reported. */
  track(runId: string, work: Promise<unknown>, onFailure?: (error: unknown) => Promise<void>) {
    const tracked = work.then(
      () => undefined,
      (error: unknown) => (onFailure ? onFailure(error) : this.report(error, runId)),
    );
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  /** Resolves once no work tracked for a run is still under way. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Stops every live run with `stop` (one failing does not keep the rest), then settles. */
  async close(stop: (runId: string) => Promise<unknown>): Promise<void> {
    await Promise.all(
      this.ids().map((id) => stop(id).catch((error: unknown) => this.report(error, id))),
    );
    await this.settle();
  }

  report(error: unknown, runId: string): void {
    if (this.options.onError) this.options.onError(error, runId);
    else process.emitWarning(`${this.options.label} ${runId}: ${describeError(error)}`);
  }
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
