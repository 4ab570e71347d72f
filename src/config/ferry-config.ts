import type { ProviderSpec } from '../features/analysis/metric-provider.js';
import type { ArtifactLimits } from '../features/artifacts/artifact-limits.js';

/** Where a metric's value comes from: the analysis feature's providers take exactly this. */
export type { ProviderSpec };
/** `artifacts`: bounds on uploads; the artifacts feature enforces exactly this. */
export type { ArtifactLimits };

/**
 * The resolved shape of a ferry.yaml after validation: durations in milliseconds, defaults
 * filled in, commands normalised. Everything past the loader reads only this.
 */
export interface FerryConfig {
  readonly apiVersion: 'ferry.dev/v1';
  /** Ordered: the promotion path runs from first to last. */
  readonly environments: readonly EnvironmentConfig[];
  readonly services: Readonly<Record<string, ServiceConfig>>;
  /** Bounds on artifact uploads; defaults when ferry.yaml has no `artifacts`. */
  readonly artifacts: ArtifactLimits;
  /** Settings of the built-in router; defaults when ferry.yaml has no `router`. */
  readonly router: RouterConfig;
  /** What still works but should change (deprecated fields), located; empty when none. */
  readonly warnings: readonly ConfigWarning[];
}

/**
 * A located remark on a valid ferry.yaml, such as a deprecated field: `ferry validate` prints it
 * and `ferry server` logs it as `file:line:col path: message`.
 */
export interface ConfigWarning {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** The field, as users read it: `services.web.runtime.local.replicas`. */
  readonly path: string;
  readonly message: string;
}

/** `router` in ferry.yaml, resolved. */
export interface RouterConfig {
  readonly timeouts: {
    /** `headers`: how long a client may take to send a request's head, then 408. Default 10s. */
    readonly headersMs: number;
    /**
     * `idle`: how long a keep-alive connection may wait for its next request before the
     * router closes it. Default 60s.
     */
    readonly idleMs: number;
  };
  /**
   * `trustedProxies`: peers whose X-Forwarded-For, -Proto and -Host the router keeps (appending
   * the peer to X-Forwarded-For); from any other peer they are replaced. Default none.
   */
  readonly trustedProxies: readonly Subnet[];
}

/** A CIDR from ferry.yaml, e.g. `10.0.0.0/8`; a bare address is a `/32` or `/128`. */
export interface Subnet {
  readonly address: string;
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

export interface EnvironmentConfig {
  readonly name: string;
}

export interface ServiceConfig {
  readonly name: string;
  /** Instances to run. Default 1. */
  readonly replicas: number;
  readonly runtime: RuntimeConfig;
  /** Listen address (`host:port`) of the service's router, per environment name. */
  readonly routes: Readonly<Record<string, ListenAddress>>;
  readonly health: HealthConfig;
  readonly strategy: StrategyConfig;
  /** Time an instance gets after SIGTERM to finish in-flight work before SIGKILL. Default 30s. */
  readonly drainTimeoutMs: number;
  /**
   * `drain.websockets`: how long the tunnels (WebSocket, any Upgrade) to an instance leaving the
   * router stay open before the router closes them; requests in flight still get the whole
   * `drainTimeout`. Default 10s, never above `drainTimeoutMs`. Absent in specs stored before it
   * existed: the tunnels then get the whole `drainTimeout`.
   */
  readonly websocketDrainMs?: number;
  /** A rollout that makes no progress for this long is rolled back. Default 10m. */
  readonly progressDeadlineMs: number;
  /**
   * `rollbackWindow.revisions`: a rollback to one of this many versions that were live last
   * skips the strategy (no steps, no analysis) and moves traffic once the old instances are
   * ready. Default 3; 0 sends every rollback through the strategy. Absent in specs stored
   * before it existed.
   */
  readonly rollbackWindow?: number;
  /** Analysis templates by name, referenced from the strategy; empty when none are defined. */
  readonly analysis: Readonly<Record<string, AnalysisTemplate>>;
  /** HTTP checks against new instances before they get user traffic; run in order. */
  readonly smoke: readonly SmokeCheck[];
  /** What to do when analysis is Inconclusive (the rollout pauses). */
  readonly inconclusive: InconclusiveConfig;
  readonly notifications: NotificationsConfig;
}

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Where a service's instances run: exactly one runtime per service, tagged by `kind`. Only
 * `local` (processes on this machine) exists; another runtime is one more member.
 */
export type RuntimeConfig = { readonly kind: 'local'; readonly local: LocalRuntimeConfig };

export interface LocalRuntimeConfig {
  /** argv form; a shell string `node server.js` becomes `['/bin/sh', '-c', 'node server.js']`. */
  readonly command: readonly string[];
  /** Relative to the unpacked release folder. Default `.`. */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /**
   * User the instances run as (name or uid). Unset: `nobody` when the server runs as root,
   * else the server's own user. Root only when written here as `root`.
   */
  readonly user?: string;
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
  /** Analysis run once every instance is replaced; a failure rolls back. Null runs none. */
  readonly postDeployAnalysis: AnalysisRef | null;
}

/** Canary: the new version takes a growing share of traffic, step by step, next to the old one. */
export interface CanaryConfig {
  /** Extra canary instances beyond the computed canary scale during scale-ups. Default `25%`. */
  readonly maxSurge: number | `${number}%`;
  /**
   * Pins a client to the version it first got, by cookie (`ferry-version` for `true`), for
   * `maxAgeMs` or, when null, for the browser session. Snapshots from before `maxAge` lack it.
   */
  readonly stickySession: { readonly cookie: string; readonly maxAgeMs?: number | null } | null;
  /** How long an aborted canary's instances stay up; its traffic leaves at once. Default 30s. */
  readonly abortScaleDownDelayMs: number;
  /** Background analysis from step `startingStep` to the end of the rollout; null runs none. */
  readonly analysis: BackgroundAnalysis | null;
  /** Whether a baseline set of the stable version runs beside the canary. Default false. */
  readonly baseline: boolean;
  /** Canary-vs-baseline judge used by `judge` steps; set only with `baseline`. */
  readonly judge: JudgeConfig | null;
  /** Run in order; never empty. */
  readonly steps: readonly CanaryStep[];
}

/** A list of analysis templates run together; every name is defined in the service's `analysis`. */
export interface AnalysisRef {
  /** Never empty. */
  readonly templates: readonly string[];
}

export interface BackgroundAnalysis extends AnalysisRef {
  /** 0-based index of the step the analysis starts at; always an existing step. Default 0. */
  readonly startingStep: number;
}

/** Compares the canary with the baseline over a `judge` step's window and scores it 0–100. */
export interface JudgeConfig {
  /** A score at or above this passes. Default 95. */
  readonly passThreshold: number;
  /** A score at or above this (and below `passThreshold`) is marginal; below it fails. Default 75. */
  readonly marginalThreshold: number;
  /** Never empty; names are unique. */
  readonly metrics: readonly JudgeMetric[];
}

export interface JudgeMetric {
  readonly name: string;
  readonly kind: 'latency' | 'errorRate';
  /** Which change is bad. Default `increase`. */
  readonly direction: 'increase' | 'decrease' | 'either';
  /** A critical metric that fails fails the whole judgement. Default false. */
  readonly critical: boolean;
  /** Smallest change that matters: relative for latency (0.1 = 10%), absolute for error rate. */
  readonly effectSizeTolerance: number;
  readonly minSampleSize?: number;
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
    }
  | {
      readonly kind: 'analysis';
      /** Blocking: the step ends when the templates finish or `durationMs` passes. */
      readonly templates: readonly string[];
      /** Null runs until every template has taken its `count` measurements. */
      readonly durationMs: number | null;
    }
  | {
      /** Runs the canary-vs-baseline judge (`CanaryConfig.judge`) over this window. */
      readonly kind: 'judge';
      readonly durationMs: number;
      /** Looks this often before the end and aborts at once on a Fail; null looks once, at the end. */
      readonly intervalMs: number | null;
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
  /** Run against the preview before the switch; a failure aborts. Null runs none. */
  readonly prePromotionAnalysis: AnalysisRef | null;
  /** Run after the switch while the old set is kept; a failure switches back. Null runs none. */
  readonly postPromotionAnalysis: AnalysisRef | null;
}

/**
 * A named set of metrics measured every `intervalMs`. Limits count measurements of each metric:
 * one more than `failureLimit` failures fails the run.
 */
export interface AnalysisTemplate {
  /** Default 10s. */
  readonly intervalMs: number;
  /** Measurements per metric; null measures until the step or rollout ends. */
  readonly count: number | null;
  /** Default 0. */
  readonly initialDelayMs: number;
  /** Default 0. */
  readonly failureLimit: number;
  /** Default 0. */
  readonly inconclusiveLimit: number;
  /** Errors in a row (the provider failed) tolerated. Default 4. */
  readonly consecutiveErrorLimit: number;
  /** Never empty; names are unique within the template. */
  readonly metrics: readonly AnalysisMetric[];
}

/**
 * One metric of a template: where its value comes from and what makes it pass. At least one of
 * `min`, `max`, `successCondition` and `failureCondition` is set; conditions parse.
 */
export interface AnalysisMetric {
  readonly name: string;
  readonly provider: ProviderSpec;
  readonly min?: number;
  readonly max?: number;
  /** Expression over `result`, e.g. `result < 0.01`. */
  readonly successCondition?: string;
  readonly failureCondition?: string;
  readonly minSampleSize?: number;
  /** Measured and shown, but never fails the run. Default false. */
  readonly dryRun: boolean;
}

/** An HTTP request to a new instance that must answer as expected before it gets traffic. */
export interface SmokeCheck {
  readonly path: string;
  /** Default GET. */
  readonly method: string;
  /** Default [200]. */
  readonly expectStatus: readonly number[];
  /** JavaScript RegExp source the body must match, checked to compile when the config loads. */
  readonly expectBody?: string;
  /** Default 5s. */
  readonly timeoutMs: number;
}

export interface InconclusiveConfig {
  /** Act after this long; null waits for a person (`ferry rollout promote` or `abort`). */
  readonly timeoutMs: number | null;
  /** Default abort. */
  readonly action: 'abort' | 'promote';
}

export interface NotificationsConfig {
  /** POSTed on abort or rollback. */
  readonly webhooks: readonly {
    readonly url: string;
    readonly headers: Readonly<Record<string, string>>;
  }[];
}
