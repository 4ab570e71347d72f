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

/** How a rollout replaces instances: exactly one strategy per service. Default rolling. */
export type StrategyConfig =
  | { readonly kind: 'rolling'; readonly rolling: RollingConfig }
  | { readonly kind: 'canary'; readonly canary: CanaryConfig }
  | { readonly kind: 'blueGreen'; readonly blueGreen: BlueGreenConfig };

export interface RollingConfig {
  /** Instances above `replicas` allowed during a rollout: a count or `25%` of replicas. Default 1. */
  readonly maxSurge: number | `${number}%`;
  /** Instances below `replicas` allowed during a rollout. Default 0. */
  readonly maxUnavailable: number | `${number}%`;
}

/** Canary: the new version takes a growing share of traffic, step by step, next to the old one. */
export interface CanaryConfig {
  /** Extra canary instances beyond the computed canary scale during scale-ups. Default `25%`. */
  readonly maxSurge: number | `${number}%`;
  /** Pins a client to the version it first got, by cookie (`ferry-version` for `true`). */
  readonly stickySession: { readonly cookie: string } | null;
  /** How long an aborted canary's instances stay up; its traffic leaves at once. Default 30s. */
  readonly abortScaleDownDelayMs: number;
  /** Run in order; never empty. */
  readonly steps: readonly CanaryStep[];
}

/**
 * One canary step. Weights and percentages are 0–100 with at most one decimal (`12.5`).
 *
 * @example { kind: 'pause', durationMs: null } // `pause: {}`: wait for `ferry rollout promote`
 */
export type CanaryStep =
  | { readonly kind: 'setWeight'; readonly weight: number }
  | { readonly kind: 'pause'; readonly durationMs: number | null }
  | {
      readonly kind: 'setCanaryScale';
      /** `weight` is a percentage of `replicas`; `matchTrafficWeight` follows the current weight. */
      readonly scale:
        | { readonly replicas: number }
        | { readonly weight: number }
        | { readonly matchTrafficWeight: true };
    }
  | {
      readonly kind: 'setHeaderRoute';
      /** A request matching any of these goes to the canary whatever the weight; empty clears. */
      readonly match: readonly RouteMatch[];
    }
  | {
      readonly kind: 'setMirror';
      /** Share of requests copied to the canary (responses discarded); 0 clears. */
      readonly percentage: number;
    };

/** A request header or cookie test used by `setHeaderRoute`. */
export interface RouteMatch {
  readonly source: 'header' | 'cookie';
  /** Header names are lower-cased (they match case-insensitively); cookie names are as written. */
  readonly name: string;
  readonly kind: 'exact' | 'prefix' | 'regex';
  /** For `regex`, JavaScript RegExp source, checked to compile when the config loads. */
  readonly value: string;
}

/** Blue-green: the new set starts beside the old one, is previewed, then takes all traffic at once. */
export interface BlueGreenConfig {
  /** Per environment name, where the preview (the new set) is reachable; optional per environment. */
  readonly previewRoutes: Readonly<Record<string, ListenAddress>>;
  /** Promote this long after the preview is ready; null waits for `ferry rollout promote`. */
  readonly autoPromotionMs: number | null;
  /** Old set kept after the switch so an abort is instant. Default 30s. */
  readonly scaleDownDelayMs: number;
  /** Run before promotion; only `pause` steps today. */
  readonly prePromotionSteps: readonly CanaryStep[];
}
