import { setTimeout as sleep } from 'node:timers/promises';
import type { InstanceCgroup } from './cgroup-v2.js';
import { instanceMarker, instanceMarkerVariable } from './instance-marker.js';
import type { LocalHandle } from './local-handle.js';
import { isLiveProcess, readProcStat, type ProcStat } from './proc-stat.js';
import { listProcesses, processEnvValue } from './process-table.js';

/**
 * Every process that belongs to one instance, wherever it went: its process group, everything
 * in its cgroup (when the runtime has one), every descendant seen so far through PPid chains,
 * and every process whose environment carries the instance's marker. `setsid` or a double fork
 * leaves the group, but not the cgroup, the recorded descendants or the marker.
 */
export class InstanceProcesses {
  /** pid → start ticks of the main process and every descendant recorded so far. */
  private readonly tracked = new Map<number, number>();
  private group: number | undefined;
  private readonly marker: string;

  constructor(
    runtimeKey: string,
    readonly instanceId: string,
    private readonly cgroup: InstanceCgroup | undefined,
  ) {
    this.marker = instanceMarker(runtimeKey, instanceId);
  }

  /** The value of {@link instanceMarkerVariable} for this instance's environment. */
  get markerValue(): string {
    return this.marker;
  }

  /** True when a cgroup holds the instance: then membership needs no /proc bookkeeping. */
  get contained(): boolean {
    return this.cgroup !== undefined;
  }

  /** Runs the synchronous spawn of the instance's process (inside its cgroup, if any). */
  spawn<T>(spawn: () => T): T {
    return this.cgroup ? this.cgroup.runInside(spawn) : spawn();
  }

  /**
   * Follows a new main process (after a spawn, a restart or an adoption). `group` is the group
   * that may be signalled: left out for a lost record whose pid now names another process.
   */
  attach(handle: Pick<LocalHandle, 'pid' | 'pgid' | 'pidStartTicks'>, group = true): void {
    if (group) this.group = handle.pgid;
    if (handle.pidStartTicks > 0) this.tracked.set(handle.pid, handle.pidStartTicks);
    this.record(listProcesses());
  }

  /**
   * Adds the descendants of tracked processes and the members of the group found in `table` (a
   * snapshot of /proc). Called at start and periodically, so a child that detaches and is then
   * re-parented to init stays known.
   */
  record(table: readonly ProcStat[]): void {
    this.forget();
    let grew = true;
    while (grew) {
      grew = false;
      for (const proc of table) {
        if (this.tracked.get(proc.pid) === proc.startTicks || proc.state === 'Z') continue;
        const parentTracked = this.tracked.has(proc.ppid);
        if (parentTracked || (this.group !== undefined && proc.pgrp === this.group)) {
          this.tracked.set(proc.pid, proc.startTicks);
          grew = true;
        }
      }
    }
  }

  /** Live (non-zombie) pids of the instance, found now. Never the server itself. */
  members(): number[] {
    const table = listProcesses();
    this.record(table);
    const found = new Set<number>(this.cgroup?.pids() ?? []);
    for (const proc of table) {
      if (proc.state === 'Z' || proc.pid === process.pid) continue;
      if (
        this.tracked.get(proc.pid) === proc.startTicks ||
        (this.group !== undefined && proc.pgrp === this.group) ||
        processEnvValue(proc, instanceMarkerVariable) === this.marker
      ) {
        found.add(proc.pid);
      }
    }
    found.delete(process.pid);
    return [...found].filter(isLiveProcess);
  }

  /** Sends `signal` to every member; returns how many members there were. */
  signal(signal: NodeJS.Signals): number {
    const members = this.members();
    if (signal === 'SIGKILL') this.cgroup?.kill();
    for (const pid of members) {
      try {
        process.kill(pid, signal);
      } catch {
        // Exited meanwhile (or already killed through the cgroup).
      }
    }
    return members.length;
  }

  /** Polls until no member is left; true if that happened within `timeoutMs`. */
  async waitGone(timeoutMs: number, pollMs = 100): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.members().length === 0) return true;
      if (Date.now() >= deadline) return false;
      await sleep(Math.min(pollMs, Math.max(1, deadline - Date.now())));
    }
  }

  /**
   * SIGKILLs every member, waits (bounded) until none is left, then removes the cgroup. Resolves
   * to how many processes it had to kill.
   */
  async killAll(timeoutMs: number): Promise<number> {
    const killed = this.signal('SIGKILL');
    const deadline = Date.now() + timeoutMs;
    // A member may fork between the listing and the kill: kill again until nothing is left.
    while (!(await this.waitGone(Math.min(500, Math.max(0, deadline - Date.now()))))) {
      if (Date.now() >= deadline) break;
      this.signal('SIGKILL');
    }
    // An exiting process leaves its cgroup a moment after it stops running.
    while (this.cgroup && !this.cgroup.remove() && Date.now() < deadline) await sleep(20);
    this.tracked.clear();
    return killed;
  }

  /** Drops tracked pids that exited (or whose pid now names another process). */
  private forget(): void {
    for (const [pid, startTicks] of this.tracked) {
      const stat = readProcStat(pid);
      if (stat === undefined || stat.startTicks !== startTicks || stat.state === 'Z') {
        this.tracked.delete(pid);
      }
    }
  }
}
