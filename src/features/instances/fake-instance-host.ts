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
    const handle: FakeHandle = {
      kind: 'fake',
      pid,
      pidStartTicks,
      logPath: `/fake/logs/${service}/${environment}/${instanceId}.log`,
    };
    return { instanceId, host: '127.0.0.1', port: port ?? this.nextPort++, handle };
  }

  /** The process of the record still runs (same pid, same start ticks). */
  isAlive(record: InstanceRecord): boolean {
    const handle = fakeHandle(record);
    return handle !== undefined && this.alive.get(handle.pid) === handle.pidStartTicks;
  }

  kill(record: InstanceRecord): void {
    const handle = fakeHandle(record);
    if (handle) this.alive.delete(handle.pid);
  }
}

/** The fake runtime's handle on a pretend process: opaque to everything else, like the local one. */
export type FakeHandle = {
  readonly kind: 'fake';
  readonly pid: number;
  readonly pidStartTicks: number;
  readonly logPath: string;
};

/** The record's handle if the fake made it. */
export function fakeHandle(record: InstanceRecord): FakeHandle | undefined {
  const handle = record.handle as Partial<FakeHandle> | null;
  return handle?.kind === 'fake' ? (handle as FakeHandle) : undefined;
}
