import type { ProbeConfig } from '../../config/ferry-config.js';

/** What the controller asks a runtime to run: one instance of one artifact. */
export interface InstanceSpec {
  readonly instanceId: string;
  readonly service: string;
  readonly environment: string;
  readonly version: string;
  readonly artifactDigest: string;
  /** Path of the artifact tarball (`.tar.gz`) to unpack into the release folder. */
  readonly artifactPath: string;
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

/**
 * Everything needed to find a running instance again after the server restarts. The controller
 * persists it; the runtime re-attaches from it.
 */
export interface InstanceRecord {
  readonly instanceId: string;
  readonly pid: number;
  /** Process group of the instance: signals go to the whole group. */
  readonly pgid: number;
  /** Start time of `pid` from /proc (clock ticks since boot), guards against pid reuse. */
  readonly pidStartTicks: number;
  /**
   * Where the instance is reached (the router and smoke checks connect here) with `port`: the
   * runtime says, as only it knows (the local runtime: 127.0.0.1).
   */
  readonly host: string;
  readonly port: number;
  readonly logPath: string;
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
   * Re-attaches instances started by an earlier server process. Each record whose process is
   * still alive (same pid and start ticks) is adopted and probed again; the others are reported
   * as not adopted (their group is killed if any member is left). Any other process of this
   * runtime that nobody supervises (a crash between spawn and record) is killed.
   */
  adopt(
    records: readonly { readonly spec: InstanceSpec; readonly record: InstanceRecord }[],
  ): Promise<{ readonly adopted: readonly string[]; readonly lost: readonly string[] }>;
  get(instanceId: string): InstanceStatus | undefined;
  list(): readonly InstanceStatus[];
  onEvent(listener: (event: RuntimeEvent) => void): () => void;
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
    release: Pick<InstanceSpec, 'service' | 'environment' | 'artifactDigest' | 'artifactPath'>,
  ): Promise<void>;
  /** Stops watching (timers, probes) without stopping instances: they outlive the server. */
  detach(): Promise<void>;
}
