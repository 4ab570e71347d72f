import type { InstanceRecord, InstanceSpec } from './instance-runtime.js';

/**
 * The machine a {@link FakeInstanceRuntime} runs its pretend processes on. It outlives a runtime,
 * as real processes outlive the server: a runtime built on the same host adopts what an earlier
 * one left running, and finds lost what died meanwhile.
 */
export class FakeInstanceHost {
  /** Live pretend processes: pid → start ticks (a reused pid has other ticks). */
  private readonly alive = new Map<number, number>();
  private nextPid = 10_000;
  private nextPort = 40_000;
  private ticks = 0;

  /** A new live process for the instance, on `port` (a restart keeps its port) or a fresh one. */
  spawn(spec: InstanceSpec, port?: number): InstanceRecord {
    const pid = this.nextPid++;
    const pidStartTicks = ++this.ticks;
    this.alive.set(pid, pidStartTicks);
    const { service, environment, instanceId } = spec;
    return {
      instanceId,
      pid,
      pgid: pid,
      pidStartTicks,
      host: '127.0.0.1',
      port: port ?? this.nextPort++,
      logPath: `/fake/logs/${service}/${environment}/${instanceId}.log`,
    };
  }

  /** The process of the record still runs (same pid, same start ticks). */
  isAlive(record: Pick<InstanceRecord, 'pid' | 'pidStartTicks'>): boolean {
    return this.alive.get(record.pid) === record.pidStartTicks;
  }

  kill(record: Pick<InstanceRecord, 'pid'>): void {
    this.alive.delete(record.pid);
  }
}
