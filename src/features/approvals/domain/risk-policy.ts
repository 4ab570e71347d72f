import type { ApprovalRequirement } from './approval-requirement.js';

/**
 * What makes a change high-risk: every condition a rule lists must hold (unlisted ones do not
 * matter); a rule with no condition matches every change.
 */
export interface RiskMatch {
  /** The target environment is one of these. */
  readonly environments?: readonly string[];
  /** The artifact's metadata has each of these values (`migrations: "true"`). */
  readonly meta?: Readonly<Record<string, string>>;
  /** The change alters one of these service config keys (`replicas`, `env`, `routes`…). */
  readonly configKeys?: readonly string[];
  /** At least this many commits between the running and the new version, when known. */
  readonly minCommits?: number;
  /** At least this many files changed between the versions, when known. */
  readonly minFiles?: number;
  /** The service has never run in the environment. */
  readonly firstDeployment?: boolean;
  /** A rollback to a version older than the rollback window (it goes through the strategy). */
  readonly rollbackOutsideWindow?: boolean;
  /** A deployment window with `effect: approval` is in force. */
  readonly windowApproval?: boolean;
}

/** One `risk.rules` entry of ferry.yaml. */
export interface RiskRule {
  readonly name: string;
  readonly when: RiskMatch;
  readonly require: ApprovalRequirement;
}

/** `risk:` in ferry.yaml; no rules: every change is low-risk. */
export interface RiskPolicy {
  readonly rules: readonly RiskRule[];
}
