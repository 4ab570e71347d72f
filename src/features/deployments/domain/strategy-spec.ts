import type { ApprovalRequirement } from '../../approvals/domain/approval-requirement.js';
import type {
  AnalysisRef,
  BackgroundAnalysis,
  JudgeConfig,
} from '../../analysis/domain/analysis-template.js';
import type { ListenAddress } from './listen-address.js';

/*
 * How a rollout replaces instances, as stored in a deployment's spec. The domain owns these
 * shapes; the config loader maps ferry.yaml into them.
 */

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
    }
  | {
      /** Waits for people's approval (quorum, roles, expiry with its outcome) before going on. */
      readonly kind: 'approval';
      readonly requirement: ApprovalRequirement;
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
