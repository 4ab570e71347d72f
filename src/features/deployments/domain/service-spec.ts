import type {
  AnalysisTemplate,
  InconclusiveConfig,
} from '../../analysis/domain/analysis-template.js';
import type { ListenAddress } from './listen-address.js';
import type { StrategyConfig } from './strategy-spec.js';

/*
 * A service's spec: what one deployment runs and how (Deployment.spec). The domain owns these
 * shapes; the config loader maps ferry.yaml into them, filling in defaults.
 */

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
  /**
   * `overrides`: what differs per environment, by environment name; empty when nothing does.
   * A deployment stores the effective spec (`effectiveService`), whose overrides are empty.
   * Absent in specs stored before it existed.
   */
  readonly overrides: Readonly<Record<string, ServiceOverride>>;
  /**
   * `database`: the PostgreSQL database this service migrates, with the migrations its artifacts
   * ship. Absent when the service has none (and in specs stored before it existed).
   */
  readonly database?: DatabaseConfig;
}

/**
 * `database`: where a service's migrations live in its artifact and how they run. The URL is
 * never in the spec: only the name of the variable that holds it, looked up in the service's
 * effective `env` for the environment, then in Ferry's own environment.
 */
export interface DatabaseConfig {
  /** `url: { env: DATABASE_URL }`: the variable's name. */
  readonly urlEnv: string;
  /** `migrations`: the folder in the artifact, relative to its root. Default `db/migrations`. */
  readonly migrations: string;
  /** `lockTimeout`: Ferry's `lock_timeout` for each statement. Default 2s. */
  readonly lockTimeoutMs: number;
  /** `statementTimeout`: Ferry's `statement_timeout`. Default 5m. */
  readonly statementTimeoutMs: number;
  /** `lockRetries`: further attempts, with backoff, after a lock timeout. Default 3. */
  readonly lockRetries: number;
  /**
   * `contractAfter`: the rollback window in time. A contract migration shipped in version N
   * waits this long after N went live in an environment (and at least the environment's
   * `soak`). Default 1h.
   */
  readonly contractAfterMs: number;
  /**
   * `autoContract`: run contract migrations by themselves once they are safe. Off by default: a
   * contract removes data for good, and Ferry cannot see readers of the database it does not
   * deploy (other services, jobs, reports); `ferry migrations contract` runs them by hand.
   */
  readonly autoContract?: boolean;
}

/**
 * `overrides.<environment>`: the fields a service may set differently in one environment. Each
 * replaces the service's own, except `env` (merged over `runtime.local.env`) and `analysis`
 * (merged over the service's templates by name). Routes are per environment already.
 */
export interface ServiceOverride {
  readonly replicas?: number;
  readonly env?: Readonly<Record<string, string>>;
  readonly strategy?: StrategyConfig;
  readonly analysis?: Readonly<Record<string, AnalysisTemplate>>;
  readonly smoke?: readonly SmokeCheck[];
  readonly progressDeadlineMs?: number;
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

export interface NotificationsConfig {
  /** POSTed on abort or rollback. */
  readonly webhooks: readonly {
    readonly url: string;
    readonly headers: Readonly<Record<string, string>>;
  }[];
}
