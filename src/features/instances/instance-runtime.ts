import type { ProbeConfig } from '../../config/ferry-config.js';

/** What the controller asks a runtime to run: one instance of one artifact. */
export interface InstanceSpec {
  readonly instanceId: string;
  readonly service: string;
  readonly environment: string;
  readonly version: string;
  /** The artifact, by digest only: where its bytes are is the runtime's business. */
  readonly artifactDigest: string;
  readonly command: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** `runtime.local.user`; unset means the runtime's default (`nobody` under a root server). */
  readonly user?: string;
  readonly readiness: ProbeConfig;
  readonly liveness?: ProbeConfig;
  readonly drainTimeoutMs: number;
  /** The service's `drain.websockets`; absent in specs stored before it existed. */
  readonly websocketDrainMs?: number;
}

export const instancePhases = [
  'starting', // process spawned, not yet ready
  'ready', // readiness probe passing
  'unready', // was ready, readiness now failing
  'backoff', // crashed, waiting to restart
  'stopping', // SIGTERM sent, draining
  'stopped', // stopped on request
] as const;
export type InstancePhase = (typeof instancePhases)[number];

/** A value that survives `JSON.stringify` and `JSON.parse` unchanged. */
export type JsonValue =
  string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * What a runtime needs to find one of its instances again (the local runtime: process ids and
 * log file). Only the runtime that made it reads it; everyone else stores and hands it back.
 */
export type InstanceHandle = { readonly [key: string]: JsonValue };

/**
 * Everything needed to find a running instance again after the server restarts. The controller
 * persists it; the runtime re-attaches from it.
 */
export interface InstanceRecord {
  readonly instanceId: string;
  /**
   * Where the instance is reached (the router and smoke checks connect here) with `port`: the
   * runtime says, as only it knows (the local runtime: 127.0.0.1).
   */
  readonly host: string;
  readonly port: number;
  readonly handle: InstanceHandle;
}

/**
 * What people are shown about an instance beyond its address, as its runtime describes it: the
 * local runtime's process id (absent for runtimes without one).
 */
export interface InstanceDetails {
  readonly pid?: number;
}

/** The last readiness probe result of an instance, and how many times in a row it came. */
export interface ProbeObservation {
  readonly ok: boolean;
  /** What a person reads: `GET /healthz → 404`, `connection refused on port 41233`. */
  readonly result: string;
  readonly times: number;
  /** Epoch ms of the latest probe. */
  readonly at: number;
}

export interface InstanceStatus {
  readonly spec: InstanceSpec;
  readonly record: InstanceRecord;
  readonly phase: InstancePhase;
  /** Restarts after crashes since the instance was started. */
  readonly restarts: number;
  /** Epoch ms of the last (re)start. */
  readonly startedAt: number;
  /** Last readiness probe result; none before the first probe. */
  readonly readinessProbe?: ProbeObservation;
}

/** Things a runtime reports as they happen; the controller appends them to the event log. */
export type RuntimeEvent =
  | { readonly kind: 'instance.started'; readonly status: InstanceStatus }
  | { readonly kind: 'instance.ready'; readonly status: InstanceStatus }
  | { readonly kind: 'instance.unready'; readonly status: InstanceStatus; readonly reason: string }
  | {
      readonly kind: 'instance.crashed';
      readonly status: InstanceStatus;
      readonly exitCode: number | null;
      readonly signal: string | null;
      readonly restartInMs: number;
    }
  | {
      readonly kind: 'instance.crash_loop';
      readonly status: InstanceStatus;
      readonly restarts: number;
    }
  | { readonly kind: 'instance.liveness_failed'; readonly status: InstanceStatus }
  | {
      readonly kind: 'instance.stopped';
      readonly status: InstanceStatus;
      /** True when the drain timeout ran out and the group was SIGKILLed. */
      readonly killed: boolean;
    }
  | { readonly kind: 'instance.adopted'; readonly status: InstanceStatus };

/**
 * Where services run. The local adapter spawns child processes; a Kubernetes adapter comes later.
 */
export interface InstanceRuntime {
  /** Unpacks the artifact if needed, spawns the instance, resolves once it is spawned. */
  start(spec: InstanceSpec): Promise<InstanceStatus>;
  /**
   * Graceful stop: SIGTERM to every process of the instance (its group and whatever it started,
   * detached or not), wait up to the drain timeout, then SIGKILL what is left. Resolves once no
   * process of the instance is left. Stopping an unknown id resolves.
   */
  stop(instanceId: string): Promise<void>;
  /**
   * Re-attaches instances started by an earlier server process. Each record whose instance still
   * runs (the local runtime: same pid and start ticks) is adopted and probed again; the others
   * are reported as not adopted (what is left of them is killed), and so is a record whose handle
   * another runtime made. Any other process of this runtime that nobody supervises (a crash
   * between spawn and record) is killed.
   */
  adopt(
    records: readonly { readonly spec: InstanceSpec; readonly record: InstanceRecord }[],
  ): Promise<{ readonly adopted: readonly string[]; readonly lost: readonly string[] }>;
  get(instanceId: string): InstanceStatus | undefined;
  list(): readonly InstanceStatus[];
  onEvent(listener: (event: RuntimeEvent) => void): () => void;
  /**
   * What people are shown about the instance of a record (`ferry ps`, event payloads), read from
   * its handle. Optional: runtimes with nothing to add skip it.
   */
  describe?(record: InstanceRecord): InstanceDetails;
  /** Last `lines` lines of the instance's combined stdout/stderr. */
  logs(instanceId: string, lines: number): Promise<readonly string[]>;
  /**
   * Removes unpacked releases of a service/environment other than the given digests (and those
   * in use), returning what it removed. Optional: runtimes without local release folders skip it.
   */
  pruneReleases?(
    service: string,
    environment: string,
    keep: readonly string[],
  ): Promise<readonly string[]>;
  /**
   * Refuses (`artifact_corrupt`, naming the digest) an unpacked release of the artifact that no
   * longer matches it; resolves when it matches or is not unpacked yet. Optional: runtimes
   * without local release folders skip it.
   */
  verifyRelease?(
    release: Pick<InstanceSpec, 'service' | 'environment' | 'artifactDigest'>,
  ): Promise<void>;
  /** Stops watching (timers, probes) without stopping instances: they outlive the server. */
  detach(): Promise<void>;
}
