import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  InstancePhase,
  InstanceSpec,
  InstanceStatus,
  ProbeObservation,
  RuntimeEvent,
} from '../../features/instances/instance-runtime.js';
import { describeProbe } from '../../features/instances/describe-probe.js';
import { CrashBackoff, type BackoffOptions } from './crash-backoff.js';
import type { InstanceProcesses } from './instance-processes.js';
import type { LocalRecord } from './local-handle.js';
import { isSameLiveProcess } from './proc-stat.js';
import { Prober, type ProbeVerdict } from './prober.js';
import type { ProcessExit, SpawnedInstance } from './spawn-instance.js';

/** What an instance needs from the runtime that owns it. */
export interface SupervisorContext {
  readonly now: () => number;
  readonly emit: (event: RuntimeEvent) => void;
  readonly backoff: BackoffOptions;
  /** How often an adopted process (not our child, so no exit event) is checked. */
  readonly adoptedPollMs: number;
  /** Spawns the instance again on its port (the release is unpacked again if it was pruned). */
  readonly respawn: (
    spec: InstanceSpec,
    record: LocalRecord,
    processes: InstanceProcesses,
  ) => Promise<SpawnedInstance>;
}

/** Bound on waiting for leftovers of a SIGKILLed instance; they die at once unless stuck in D. */
const killWaitMs = 10_000;

/**
 * One instance under supervision: probes its readiness and liveness, restarts it with backoff
 * when it crashes, stops it gracefully. The process may be our child (spawned here) or adopted
 * from an earlier server process; either way signals go to all of its processes (its group,
 * its cgroup, its descendants, whatever carries its marker), and it is ready only while its own
 * process lives: a detached child that keeps the port answering does not count.
 */
export class SupervisedInstance {
  private phase: InstancePhase = 'starting';
  private restarts = 0;
  private startedAt: number;
  private readonly backoff: CrashBackoff;
  /** Bumped per process and on stop/detach: exit reports of an older process are ignored. */
  private generation = 0;
  private readiness: Prober | undefined;
  /** The readiness result of the previous process, kept across a crash and a stop. */
  private lastProbe: ProbeObservation | undefined;
  private liveness: Prober | undefined;
  private watcher: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private restarting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private detached = false;
  /** False between a crash (its group SIGKILLed) and the restart: nothing to drain then. */
  private running = true;
  /** Settles once Node reaped the main process; undefined for an adopted one (not our child). */
  private childExited: Promise<ProcessExit> | undefined;

  private constructor(
    private readonly ctx: SupervisorContext,
    readonly spec: InstanceSpec,
    private record: LocalRecord,
    private readonly origin: 'instance.started' | 'instance.adopted',
    /** Every process of the instance, the main one and whatever it started. */
    readonly processes: InstanceProcesses,
  ) {
    this.startedAt = ctx.now();
    this.backoff = new CrashBackoff(ctx.backoff);
  }

  /** Supervises a process we just spawned. Call {@link announce} once it is registered. */
  static spawned(
    ctx: SupervisorContext,
    spec: InstanceSpec,
    spawned: SpawnedInstance,
    processes: InstanceProcesses,
  ): SupervisedInstance {
    const instance = new SupervisedInstance(
      ctx,
      spec,
      spawned.record,
      'instance.started',
      processes,
    );
    instance.watchChild(spawned);
    return instance;
  }

  /** Supervises a process an earlier server spawned. Call {@link announce} once registered. */
  static adopted(
    ctx: SupervisorContext,
    spec: InstanceSpec,
    record: LocalRecord,
    processes: InstanceProcesses,
  ): SupervisedInstance {
    const instance = new SupervisedInstance(ctx, spec, record, 'instance.adopted', processes);
    instance.watchAdopted();
    return instance;
  }

  /** Emits `instance.started` or `instance.adopted`: listeners can look the instance up. */
  announce(): void {
    this.emit({ kind: this.origin, status: this.status() });
  }

  /** The current record with its handle typed: what the owning runtime reads. */
  get localRecord(): LocalRecord {
    return this.record;
  }

  status(): InstanceStatus {
    return {
      spec: this.spec,
      record: this.record,
      phase: this.phase,
      restarts: this.restarts,
      startedAt: this.startedAt,
      ...this.probeField(),
    };
  }

  private probeField(): { readonly readinessProbe?: ProbeObservation } {
    const probe = this.readiness?.lastResult() ?? this.lastProbe;
    return probe ? { readinessProbe: probe } : {};
  }

  /**
   * SIGTERM to every process of the instance, SIGKILL after the drain timeout, resolves when none
   * is left (its cgroup removed) and `instance.stopped` was emitted. Calling it again returns the
   * same promise.
   */
  stop(): Promise<void> {
    this.stopping ??= this.drain();
    return this.stopping;
  }

  /**
   * Stops watching; the process keeps running. A restart that was waiting for its backoff does
   * not happen (the next server finds the instance lost and replaces it).
   */
  async detach(): Promise<void> {
    this.detached = true;
    this.unwatch();
    clearTimeout(this.restartTimer);
    await this.restarting;
  }

  private async drain(): Promise<void> {
    const probe = this.probeField().readinessProbe;
    if ((this.phase === 'starting' || this.phase === 'unready') && probe && !probe.ok) {
      this.note(`ferry: stopped while not ready; last readiness probe: ${describeProbe(probe)}`);
    }
    this.unwatch();
    clearTimeout(this.restartTimer);
    this.phase = 'stopping';
    await this.restarting;
    if (this.running && this.processes.signal('SIGTERM') > 0) {
      await this.processes.waitGone(this.spec.drainTimeoutMs);
    }
    // Whatever outlived the drain (or a crash) goes now, detached children included.
    const killed = (await this.processes.killAll(killWaitMs)) > 0;
    // Not running is not yet gone: our own child stays a zombie, its pid taken, until the loop
    // handles its SIGCHLD. Stopped means reaped (bounded: a process stuck in D never is).
    if (this.childExited) await settledWithin(this.childExited, killWaitMs);
    this.phase = 'stopped';
    this.emit({ kind: 'instance.stopped', status: this.status(), killed });
  }

  private get active(): boolean {
    return this.stopping === undefined && !this.detached;
  }

  private watchChild(spawned: SpawnedInstance): void {
    const generation = ++this.generation;
    this.processes.attach(spawned.record.handle);
    this.childExited = spawned.exited;
    void spawned.exited.then((exit) => {
      if (generation === this.generation) this.onExit(exit);
    });
    this.startProbes();
  }

  private watchAdopted(): void {
    const generation = ++this.generation;
    const { pid, pidStartTicks } = this.record.handle;
    this.processes.attach(this.record.handle);
    this.childExited = undefined;
    this.watcher = setInterval(() => {
      if (generation !== this.generation || isSameLiveProcess(pid, pidStartTicks)) return;
      this.onExit({ exitCode: null, signal: null });
    }, this.ctx.adoptedPollMs);
    this.watcher.unref();
    this.startProbes();
  }

  private startProbes(): void {
    const { port } = this.record;
    this.readiness = new Prober(
      port,
      this.spec.readiness,
      (v) => this.onReadiness(v),
      '127.0.0.1',
      this.ctx.now,
    ).start();
    if (this.spec.liveness) {
      this.liveness = new Prober(port, this.spec.liveness, (v) => this.onLiveness(v)).start();
    }
  }

  private unwatch(): void {
    this.generation += 1;
    this.lastProbe = this.readiness?.lastResult() ?? this.lastProbe;
    this.readiness?.stop();
    this.liveness?.stop();
    clearInterval(this.watcher);
    this.readiness = this.liveness = this.watcher = undefined;
  }

  private onReadiness(verdict: ProbeVerdict): void {
    if (!this.active) return;
    // The port may be answered by a child that detached from a main process that is gone.
    if (verdict.kind === 'passing' && !this.mainAlive()) return;
    if (verdict.kind === 'passing' && (this.phase === 'starting' || this.phase === 'unready')) {
      this.phase = 'ready';
      this.backoff.onReady(this.ctx.now());
      this.emit({ kind: 'instance.ready', status: this.status() });
    } else if (verdict.kind === 'failing' && this.phase === 'starting') {
      // Not an event (nothing changes), but the first place a person looks for why.
      const probe = this.readiness?.lastResult();
      this.note(
        `ferry: readiness probe failing, no traffic until it passes: ${probe ? describeProbe(probe) : verdict.reason}`,
      );
    } else if (verdict.kind === 'failing' && this.phase === 'ready') {
      this.phase = 'unready';
      this.backoff.onNotReady(this.ctx.now());
      this.emit({ kind: 'instance.unready', status: this.status(), reason: verdict.reason });
    }
  }

  private onLiveness(verdict: ProbeVerdict): void {
    if (!this.active || verdict.kind !== 'failing') return;
    this.emit({ kind: 'instance.liveness_failed', status: this.status() });
    this.onExit({ exitCode: null, signal: 'SIGKILL' });
  }

  private mainAlive(): boolean {
    const { pid, pidStartTicks } = this.record.handle;
    // No start ticks (no /proc): the exit event or the adoption poll tells instead.
    return pidStartTicks === 0 || isSameLiveProcess(pid, pidStartTicks);
  }

  /** The process is gone (or must go): kill all that is left of it, restart after backoff. */
  private onExit(exit: ProcessExit): void {
    if (!this.active) return;
    this.unwatch();
    // Kill leftovers now, while the group id cannot have been reused: a shell's child or a
    // detached daemon that outlived it would otherwise hold the port the restart needs.
    this.processes.signal('SIGKILL');
    this.running = false;
    this.scheduleRestart(exit);
  }

  private scheduleRestart(exit: ProcessExit): void {
    const decision = this.backoff.onCrash(this.ctx.now());
    this.phase = 'backoff';
    this.emit({
      kind: 'instance.crashed',
      status: this.status(),
      exitCode: exit.exitCode,
      signal: exit.signal,
      restartInMs: decision.restartInMs,
    });
    if (decision.crashLoop) {
      this.emit({
        kind: 'instance.crash_loop',
        status: this.status(),
        restarts: decision.restartsWithoutReady,
      });
    }
    this.restartTimer = setTimeout(() => {
      this.restarting = this.restart()
        .catch((error: unknown) => this.note(`ferry: restart failed: ${describe(error)}`))
        .finally(() => (this.restarting = undefined));
    }, decision.restartInMs);
    this.restartTimer.unref();
  }

  private async restart(): Promise<void> {
    await this.processes.killAll(killWaitMs);
    if (!this.active) return;
    let spawned: SpawnedInstance;
    try {
      spawned = await this.ctx.respawn(this.spec, this.record, this.processes);
    } catch (error) {
      this.note(`ferry: restart failed: ${describe(error)}`);
      this.restarts += 1;
      if (this.active) this.scheduleRestart({ exitCode: null, signal: null });
      return;
    }
    this.record = spawned.record;
    this.running = true;
    this.restarts += 1;
    this.startedAt = this.ctx.now();
    if (this.detached) {
      // Nobody will learn this process's record: do not leave it running unknown.
      this.processes.attach(spawned.record.handle);
      this.processes.signal('SIGKILL');
      return;
    }
    // Stopped while spawning: stop() awaits this restart and then drains the new process.
    if (!this.active) return;
    this.phase = 'starting';
    this.watchChild(spawned);
    this.emit({ kind: 'instance.started', status: this.status() });
  }

  /** A line from Ferry itself in the instance's log, where a person looks for why it failed. */
  private note(line: string): void {
    try {
      appendFileSync(this.record.handle.logPath, `${line}\n`);
    } catch {
      // The log is best effort; the event carries the failure too.
    }
  }

  private emit(event: RuntimeEvent): void {
    this.ctx.emit(event);
  }
}

/** Waits for `promise` to settle, or `ms` at most. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  const timeout = new AbortController();
  await Promise.race([
    promise,
    sleep(ms, undefined, { signal: timeout.signal }).catch(() => undefined),
  ]);
  timeout.abort();
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
