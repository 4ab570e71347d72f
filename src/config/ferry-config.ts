import type { ProviderSpec } from '../features/analysis/domain/provider-spec.js';
import type { ArtifactLimits } from '../features/artifacts/domain/artifact-limits.js';
import type { ArtifactsConfig } from '../features/artifacts/domain/artifact-retention.js';
import type { ServiceConfig } from '../features/deployments/domain/service-spec.js';
import type { GateRequirement } from '../features/gate-results/domain/gate-requirement.js';
import type { DeploymentWindow } from '../features/windows/domain/deployment-window.js';
import type { RiskPolicy } from '../features/approvals/domain/risk-policy.js';

/** `windows`: deployment windows and freezes; the windows feature reads exactly this. */
export type { DeploymentWindow };

/** Where a metric's value comes from: the analysis feature's providers take exactly this. */
export type { ProviderSpec };
/** `artifacts`: bounds on uploads; the artifacts feature enforces exactly this. */
export type { ArtifactLimits, ArtifactsConfig };

/** The domain owns the spec types; re-exported here so imports from the config keep working. */
export type {
  AnalysisMetric,
  AnalysisRef,
  AnalysisTemplate,
  BackgroundAnalysis,
  InconclusiveConfig,
  JudgeConfig,
  JudgeMetric,
} from '../features/analysis/domain/analysis-template.js';
export type { ListenAddress } from '../features/deployments/domain/listen-address.js';
export type {
  DatabaseConfig,
  HealthConfig,
  LocalRuntimeConfig,
  NotificationsConfig,
  ProbeConfig,
  RuntimeConfig,
  ServiceConfig,
  ServiceOverride,
  SmokeCheck,
} from '../features/deployments/domain/service-spec.js';
export type {
  BlueGreenConfig,
  CanaryConfig,
  CanaryStep,
  RollingConfig,
  RouteMatch,
  StrategyConfig,
} from '../features/deployments/domain/strategy-spec.js';

/**
 * The resolved shape of a ferry.yaml after validation: durations in milliseconds, defaults
 * filled in, commands normalised. Everything past the loader reads only this.
 */
export interface FerryConfig {
  readonly apiVersion: 'ferry.dev/v1';
  /** Ordered: the promotion path runs from first to last. */
  readonly environments: readonly EnvironmentConfig[];
  readonly services: Readonly<Record<string, ServiceConfig>>;
  /**
   * `groups`: services promoted together (`ferry promote --group backend`), in the order each
   * list gives; empty when ferry.yaml has none.
   */
  readonly groups: Readonly<Record<string, readonly string[]>>;
  /**
   * `windows`: times when changes to some environments are frozen or need approval, in the order
   * listed; empty when ferry.yaml has none.
   */
  readonly windows: readonly DeploymentWindow[];
  /** `risk`: which changes need people's approval, and what approval; no rules when unsaid. */
  readonly risk: RiskPolicy;
  /** Bounds on artifact uploads and their retention; defaults when ferry.yaml has no `artifacts`. */
  readonly artifacts: ArtifactsConfig;
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
  /**
   * `workers`: router processes serving the same listeners (the kernel spreads connections
   * among them); `auto` is one per CPU. Default 1.
   */
  readonly workers: number | 'auto';
}

/** A CIDR from ferry.yaml, e.g. `10.0.0.0/8`; a bare address is a `/32` or `/128`. */
export interface Subnet {
  readonly address: string;
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

export interface EnvironmentConfig {
  readonly name: string;
  /**
   * `dataPlane`: what carries this environment's traffic: `ferry`, Ferry's own router process
   * (default), or `haproxy`, an HAProxy Ferry configures and drives over its Runtime API.
   */
  readonly dataPlane: DataPlaneKind;
  /**
   * `from`: the environment whose live, healthy artifact `ferry promote` brings here. Unsaid, the
   * one before it in the list; null for the first, or when written `from: null` (deploys go
   * straight in). A direct `ferry deploy` into an environment with a `from` needs `--force`.
   */
  readonly from: string | null;
  /** `soak`: how long the upstream deployment must have been live and healthy. Default 0. */
  readonly soakMs: number;
  /** `require`: gates the artifact's evidence must meet before it may enter. */
  readonly require: readonly GateRequirement[];
  /** `autoPromote`: promote by itself once the upstream has soaked and passed its gates. */
  readonly autoPromote: boolean;
}

export const dataPlaneKinds = ['ferry', 'haproxy'] as const;
export type DataPlaneKind = (typeof dataPlaneKinds)[number];
