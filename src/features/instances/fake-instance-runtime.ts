import { FerryError } from '../../errors/ferry-error.js';
import { systemClock, type Clock } from '../../shared/clock.js';
import type { Scheduler } from '../analysis/scheduler.js';
import { FakeInstanceHost } from './fake-instance-host.js';
import type {
  InstancePhase,
  InstanceRecord,
  InstanceRuntime,
  InstanceSpec,
  InstanceStatus,
  ProbeObservation,
  RuntimeEvent,
} from './instance-runtime.js';

export interface FakeInstanceRuntimeOptions {
  /** Instances go ready on their own after (re)start and adoption. Default true. */
  readonly autoReady?: boolean;
  /**
   * Runs what happens later (auto-ready, restarts after a crash's backoff). Default: none, and
   * those run on the next turn of the event loop (`setImmediate`, no timer), after the caller's
   * own follow-up work (persisting the record) settled; {@link FakeInstanceRuntime.settled}
   * waits for them. With a `ManualScheduler` they wait for `advance`.
   */
  readonly scheduler?: Scheduler;
  /** Delay of auto-ready on the scheduler. Default 0. */
  readonly readyAfterMs?: number;
  /** `startedAt` and probe times. Default the scheduler's clock, else the wall clock. */
  readonly clock?: Clock;
  /** Restart spacing: `initialMs` doubling up to `maxMs`; defaults as the local runtime's. */
  readonly backoff?: Partial<FakeBackoff>;
  /** The machine of an earlier runtime, to adopt what it left running. Default a fresh one. */
  readonly host?: FakeInstanceHost;
}

interface FakeBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
  /** Restarts in a row without becoming ready that make a crash loop. */
  readonly crashLoopRestarts: number;
}

/** One instance as the fake supervises it. */
interface Supervised {
  readonly spec: InstanceSpec;
  record: InstanceRecord;
  phase: InstancePhase;
  restarts: number;
  startedAt: number;
  probe?: ProbeObservation;
  /** Bumped on every change that makes pending later work stale (crash, stop, detach). */
  generation: number;
  /** Crashes since the last ready: the backoff exponent. */
  crashes: number;
  /** Restarts without becoming ready: the crash-loop streak. */
  withoutReady: number;
  /** Set by {@link FakeInstanceRuntime.crashLoop}: never goes ready on its own again. */
  failing: boolean;
}

/**
 * InstanceRuntime in memory, for tests of its callers: no processes, no timers of its own. It
 * emits the events the local runtime emits for the same story, in the same order (its contract
 * suite runs against both), and lets a test drive what processes would do.
 *
 * @example
 * const runtime = new FakeInstanceRuntime({ autoReady: false });
 * await runtime.start(spec); // instance.started
 * runtime.makeReady(spec.instanceId); // instance.ready
 * runtime.crash(spec.instanceId); // instance.crashed; restarts after the backoff
 * await runtime.detach();
 * const next = FakeInstanceRuntime.restartFrom(runtime); // a new server on the same machine
 * await next.adopt(runtime.survivors()); // { adopted: [spec.instanceId], lost: [] }
 */
export class FakeInstanceRuntime implements InstanceRuntime {
  /** The pretend machine: share it with a later runtime to model a server restart. */
  readonly host: FakeInstanceHost;
  private readonly instances = new Map<string, Supervised>();
  private readonly listeners = new Set<(event: RuntimeEvent) => void>();
  private readonly logLines = new Map<string, string[]>();
  private readonly clock: Clock;
  private readonly backoff: FakeBackoff;
  private nextStartError: Error | undefined;
  private detached = false;
  /** Deferred work not yet run (without a scheduler). */
  private deferred = 0;
  /** What was supervised when detached: the survivors of this "server". */
  private leftRunning: { readonly spec: InstanceSpec; readonly record: InstanceRecord }[] = [];

  constructor(private readonly options: FakeInstanceRuntimeOptions = {}) {
    this.host = options.host ?? new FakeInstanceHost();
    this.clock = options.clock ?? options.scheduler?.clock ?? systemClock;
    this.backoff = { initialMs: 1000, maxMs: 30_000, crashLoopRestarts: 3, ...options.backoff };
  }

  /** A runtime of a restarted server: same machine and options, nothing supervised yet. */
  static restartFrom(
    previous: FakeInstanceRuntime,
    options: FakeInstanceRuntimeOptions = {},
  ): FakeInstanceRuntime {
    return new FakeInstanceRuntime({ ...previous.options, ...options, host: previous.host });
  }

  async start(spec: InstanceSpec): Promise<InstanceStatus> {
    this.assertAttached();
    const id = spec.instanceId;
    if (this.instances.has(id))
      throw new FerryError('conflict', `instance "${id}" is already running`);
    const error = this.nextStartError;
    this.nextStartError = undefined;
    if (error) throw error;
    const instance = this.supervise(spec, this.host.spawn(spec));
    this.log(id, `listening on 127.0.0.1:${instance.record.port}`);
    this.emit({ kind: 'instance.started', status: this.snapshot(instance) });
    this.scheduleReady(instance);
    return this.snapshot(instance);
  }

  async stop(instanceId: string): Promise<void> {
    const instance = this.instances.get(instanceId);
    if (!instance) return;
    this.instances.delete(instanceId);
    instance.generation += 1;
    instance.phase = 'stopped';
    this.host.kill(instance.record);
    this.emit({ kind: 'instance.stopped', status: this.snapshot(instance), killed: false });
  }

  async adopt(
    records: readonly { readonly spec: InstanceSpec; readonly record: InstanceRecord }[],
  ): Promise<{ readonly adopted: readonly string[]; readonly lost: readonly string[] }> {
    this.assertAttached();
    const adopted: string[] = [];
    const lost: string[] = [];
    for (const { spec, record } of records) {
      const id = spec.instanceId;
      if (this.instances.has(id)) {
        adopted.push(id);
      } else if (this.host.isAlive(record)) {
        const instance = this.supervise(spec, record);
        this.emit({ kind: 'instance.adopted', status: this.snapshot(instance) });
        this.scheduleReady(instance);
        adopted.push(id);
      } else {
        lost.push(id);
      }
    }
    return { adopted, lost };
  }

  get(instanceId: string): InstanceStatus | undefined {
    const instance = this.instances.get(instanceId);
    return instance && this.snapshot(instance);
  }

  list(): readonly InstanceStatus[] {
    return [...this.instances.values()].map((instance) => this.snapshot(instance));
  }

  onEvent(listener: (event: RuntimeEvent) => void): () => void {
    const entry = (event: RuntimeEvent): void => listener(event);
    this.listeners.add(entry);
    return () => void this.listeners.delete(entry);
  }

  /** The lines the fake wrote (`listening on ...`) and those given to {@link writeLog}. */
  async logs(instanceId: string, lines: number): Promise<readonly string[]> {
    return lines > 0 ? (this.logLines.get(instanceId) ?? []).slice(-lines) : [];
  }

  /** Stops what was to happen later; the pretend processes run on, for {@link restartFrom}. */
  async detach(): Promise<void> {
    this.leftRunning = this.survivors();
    this.detached = true;
    for (const instance of this.instances.values()) instance.generation += 1;
    this.instances.clear();
  }

  // Controls: what the processes and probes of a real runtime would do.

  /**
   * Resolves once what was deferred (auto-ready, restarts) has happened, and what that deferred
   * in turn. Without a scheduler only; with one, `advance` it instead.
   */
  async settled(): Promise<void> {
    while (this.deferred > 0) await new Promise((resolve) => setImmediate(resolve));
  }

  /** The readiness probe passes: a `starting` or `unready` instance becomes `ready`. */
  makeReady(instanceId: string): void {
    const instance = this.running(instanceId);
    instance.failing = false;
    if (instance.phase !== 'starting' && instance.phase !== 'unready') return;
    instance.phase = 'ready';
    instance.crashes = 0;
    instance.withoutReady = 0;
    instance.probe = this.observe(instance, true, `GET ${instance.spec.readiness.path} passing`);
    this.emit({ kind: 'instance.ready', status: this.snapshot(instance) });
  }

  /** The readiness probe fails: a `ready` instance becomes `unready` for `reason`. */
  makeUnready(instanceId: string, reason = 'GET /healthz → 503'): void {
    const instance = this.running(instanceId);
    if (instance.phase !== 'ready') return;
    instance.phase = 'unready';
    instance.probe = this.observe(instance, false, reason);
    this.emit({ kind: 'instance.unready', status: this.snapshot(instance), reason });
  }

  /**
   * The process exits: `instance.crashed` (and `instance.crash_loop` when the streak reaches the
   * threshold), then after the backoff a restart (`restarts` + 1, `instance.started`, and
   * `instance.ready` when auto-ready). Ignored in `backoff`.
   */
  crash(
    instanceId: string,
    exit: { exitCode: number | null; signal: string | null } = { exitCode: 1, signal: null },
  ): void {
    const instance = this.running(instanceId);
    if (instance.phase === 'backoff') return;
    this.host.kill(instance.record);
    const generation = ++instance.generation;
    const restartInMs = Math.min(
      this.backoff.maxMs,
      this.backoff.initialMs * 2 ** Math.min(instance.crashes, 30),
    );
    instance.crashes += 1;
    instance.withoutReady += 1;
    instance.phase = 'backoff';
    this.emit({ kind: 'instance.crashed', status: this.snapshot(instance), ...exit, restartInMs });
    if (instance.withoutReady === this.backoff.crashLoopRestarts) {
      const restarts = instance.withoutReady;
      this.emit({ kind: 'instance.crash_loop', status: this.snapshot(instance), restarts });
    }
    this.later(restartInMs, () => {
      if (instance.generation === generation) this.restart(instance);
    });
  }

  /**
   * The instance crashes on every start from now on: crashes and restarts right away until
   * `instance.crash_loop`, then waits in `backoff`; restarted, it stays `starting`.
   */
  crashLoop(instanceId: string): void {
    const instance = this.running(instanceId);
    instance.failing = true;
    if (instance.phase === 'backoff') this.restart(instance);
    for (;;) {
      const loopedBefore = instance.withoutReady >= this.backoff.crashLoopRestarts;
      this.crash(instanceId);
      if (loopedBefore || instance.withoutReady >= this.backoff.crashLoopRestarts) return;
      this.restart(instance);
    }
  }

  /** The liveness probe fails: `instance.liveness_failed`, then a crash by SIGKILL. */
  failLiveness(instanceId: string): void {
    const instance = this.running(instanceId);
    this.emit({ kind: 'instance.liveness_failed', status: this.snapshot(instance) });
    this.crash(instanceId, { exitCode: null, signal: 'SIGKILL' });
  }

  /** The next {@link start} rejects with `error` (and starts nothing); later ones succeed. */
  failNextStart(error: Error = new Error('spawn failed')): void {
    this.nextStartError = error;
  }

  /**
   * What the controller would have persisted: spec and record of every supervised instance (once
   * detached, of those supervised then), to give the next runtime's {@link adopt}.
   */
  survivors(): { readonly spec: InstanceSpec; readonly record: InstanceRecord }[] {
    if (this.detached) return [...this.leftRunning];
    return [...this.instances.values()].map(({ spec, record }) => ({ spec, record }));
  }

  /** The instance's process dies while no server watches it (detached): adopt finds it lost. */
  vanish(instanceId: string): void {
    const found = this.survivors().find(({ spec }) => spec.instanceId === instanceId);
    if (!found) throw new Error(`fake runtime: no instance "${instanceId}" to vanish`);
    this.host.kill(found.record);
  }

  /** Appends lines to the instance's log, as its process would print them. */
  writeLog(instanceId: string, ...lines: string[]): void {
    this.log(instanceId, ...lines);
  }

  private supervise(spec: InstanceSpec, record: InstanceRecord): Supervised {
    const instance: Supervised = {
      spec,
      record,
      phase: 'starting',
      restarts: 0,
      startedAt: this.clock.now(),
      generation: 0,
      crashes: 0,
      withoutReady: 0,
      failing: false,
    };
    this.instances.set(spec.instanceId, instance);
    return instance;
  }

  private restart(instance: Supervised): void {
    instance.generation += 1;
    instance.record = this.host.spawn(instance.spec, instance.record.port);
    instance.restarts += 1;
    instance.startedAt = this.clock.now();
    instance.phase = 'starting';
    this.emit({ kind: 'instance.started', status: this.snapshot(instance) });
    this.scheduleReady(instance);
  }

  private scheduleReady(instance: Supervised): void {
    if (this.options.autoReady === false || instance.failing) return;
    const generation = instance.generation;
    this.later(this.options.readyAfterMs ?? 0, () => {
      const current = this.instances.get(instance.spec.instanceId);
      if (current === instance && instance.generation === generation) {
        this.makeReady(instance.spec.instanceId);
      }
    });
  }

  private later(ms: number, fn: () => void): void {
    if (this.options.scheduler) {
      this.options.scheduler.setTimer(fn, ms);
      return;
    }
    this.deferred += 1;
    setImmediate(() => {
      this.deferred -= 1;
      fn();
    });
  }

  private running(instanceId: string): Supervised {
    const instance = this.instances.get(instanceId);
    if (!instance) throw new Error(`fake runtime: no instance "${instanceId}" is running`);
    return instance;
  }

  private observe(instance: Supervised, ok: boolean, result: string): ProbeObservation {
    const times = instance.probe?.ok === ok ? instance.probe.times + 1 : 1;
    return { ok, result, times, at: this.clock.now() };
  }

  private snapshot(instance: Supervised): InstanceStatus {
    const { spec, record, phase, restarts, startedAt, probe } = instance;
    return {
      spec,
      record,
      phase,
      restarts,
      startedAt,
      ...(probe ? { readinessProbe: probe } : {}),
    };
  }

  private assertAttached(): void {
    if (this.detached) throw new FerryError('conflict', 'the fake runtime was detached');
  }

  private log(instanceId: string, ...lines: string[]): void {
    const log = this.logLines.get(instanceId) ?? [];
    log.push(...lines);
    this.logLines.set(instanceId, log);
  }

  /** Like the local runtime's hub: a throwing listener does not keep the others from hearing. */
  private emit(event: RuntimeEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        process.emitWarning(error instanceof Error ? error : new Error(String(error)), {
          code: 'FERRY_EVENT_LISTENER',
        });
      }
    }
  }
}
