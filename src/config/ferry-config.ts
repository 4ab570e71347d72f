/**
 * The resolved shape of a ferry.yaml after validation: durations in milliseconds, defaults
 * filled in, commands normalised. Everything past the loader reads only this.
 */
export interface FerryConfig {
  readonly apiVersion: 'ferry.dev/v1';
  /** Ordered: the promotion path runs from first to last. */
  readonly environments: readonly EnvironmentConfig[];
  readonly services: Readonly<Record<string, ServiceConfig>>;
}

export interface EnvironmentConfig {
  readonly name: string;
}

export interface ServiceConfig {
  readonly name: string;
  readonly runtime: { readonly local: LocalRuntimeConfig };
  /** Listen address (`host:port`) of the service's router, per environment name. */
  readonly routes: Readonly<Record<string, ListenAddress>>;
  readonly health: HealthConfig;
  readonly strategy: StrategyConfig;
  /** Time an instance gets after SIGTERM to finish in-flight work before SIGKILL. Default 30s. */
  readonly drainTimeoutMs: number;
  /** A rollout that makes no progress for this long is rolled back. Default 10m. */
  readonly progressDeadlineMs: number;
}

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

export interface LocalRuntimeConfig {
  /** argv form; a shell string `node server.js` becomes `['/bin/sh', '-c', 'node server.js']`. */
  readonly command: readonly string[];
  /** Relative to the unpacked release folder. Default `.`. */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Default 1. */
  readonly replicas: number;
}

export interface HealthConfig {
  readonly readiness: ProbeConfig;
  readonly liveness?: ProbeConfig;
}

export interface ProbeConfig {
  /** HTTP path probed on the instance's port, e.g. `/healthz`. Default `/healthz`. */
  readonly path: string;
  /** Default 1s. */
  readonly intervalMs: number;
  /** Default 2s. */
  readonly timeoutMs: number;
  /** Consecutive successes to become ready. Default 1. */
  readonly successThreshold: number;
  /** Consecutive failures to become unready (readiness) or be restarted (liveness). Default 3. */
  readonly failureThreshold: number;
  /** Delay after start before the first probe. Default 0. */
  readonly initialDelayMs: number;
}

export type StrategyConfig = { readonly kind: 'rolling'; readonly rolling: RollingConfig };

export interface RollingConfig {
  /** Instances above `replicas` allowed during a rollout: a count or `25%` of replicas. Default 1. */
  readonly maxSurge: number | `${number}%`;
  /** Instances below `replicas` allowed during a rollout. Default 0. */
  readonly maxUnavailable: number | `${number}%`;
}
