import { strictest, type ApprovalRequirement } from './approval-requirement.js';
import type { RiskMatch, RiskPolicy, RiskRule } from './risk-policy.js';

/** What is known about a change when its risk is assessed. */
export interface ChangeFacts {
  readonly environment: string;
  /** The artifact's metadata (`{ migrations: "true" }`). */
  readonly meta: Readonly<Record<string, string>>;
  /** The service config keys the change alters (a promotion plan's `configChanges` fields). */
  readonly configKeys: readonly string[];
  /** Commits and files between the versions; null when unknown (such rules then do not match). */
  readonly commits: number | null;
  readonly files: number | null;
  readonly firstDeployment: boolean;
  readonly rollbackOutsideWindow: boolean;
  /** The names of the `effect: approval` windows in force in the environment. */
  readonly approvalWindows: readonly string[];
}

/** A rule that matched, with what about the change made it match. */
export interface MatchedRule {
  readonly rule: string;
  readonly reasons: readonly string[];
  readonly require: ApprovalRequirement;
}

export interface RiskAssessment {
  readonly level: 'low' | 'high';
  readonly matched: readonly MatchedRule[];
  /** What the change needs before it goes on (the strictest of the matched rules); null when low. */
  readonly requirement: ApprovalRequirement | null;
}

/**
 * Which rules of the policy a change matches and what it then needs. Pure: the callers gather
 * the facts (artifact metadata, the plan's config changes, history, windows).
 *
 * @example assessRisk(policy, { environment: 'prod', meta: { migrations: 'true' }, ... }).level
 */
export function assessRisk(policy: RiskPolicy, facts: ChangeFacts): RiskAssessment {
  const matched = policy.rules.flatMap((rule): MatchedRule[] => {
    const reasons = matchRule(rule, facts);
    return reasons ? [{ rule: rule.name, reasons, require: rule.require }] : [];
  });
  return {
    level: matched.length > 0 ? 'high' : 'low',
    matched,
    requirement: strictest(matched.map((m) => m.require)),
  };
}

/** Why a rule matches (one sentence per condition), or undefined when it does not. */
function matchRule(rule: RiskRule, facts: ChangeFacts): string[] | undefined {
  const reasons: string[] = [];
  for (const check of checks) {
    const outcome = check(rule.when, facts);
    if (outcome === false) return undefined;
    if (typeof outcome === 'string') reasons.push(outcome);
  }
  return reasons.length > 0 ? reasons : ['every change'];
}

/** A condition: `true`/a reason when it holds or is not listed (true), `false` when it fails. */
type Check = (when: RiskMatch, facts: ChangeFacts) => string | boolean;

const checks: readonly Check[] = [
  (when, facts) =>
    when.environments === undefined ||
    (when.environments.includes(facts.environment) && `environment ${facts.environment}`),
  (when, facts) => {
    if (when.meta === undefined) return true;
    const pairs = Object.entries(when.meta);
    if (!pairs.every(([key, value]) => facts.meta[key] === value)) return false;
    return `artifact ${pairs.map(([k, v]) => `${k}=${v}`).join(', ')}`;
  },
  (when, facts) => {
    if (when.configKeys === undefined) return true;
    const changed = when.configKeys.filter((key) => facts.configKeys.includes(key));
    return changed.length > 0 && `config changes ${changed.join(', ')}`;
  },
  (when, facts) =>
    when.minCommits === undefined ||
    (facts.commits !== null &&
      facts.commits >= when.minCommits &&
      `${facts.commits} commits (>= ${when.minCommits})`),
  (when, facts) =>
    when.minFiles === undefined ||
    (facts.files !== null &&
      facts.files >= when.minFiles &&
      `${facts.files} files changed (>= ${when.minFiles})`),
  (when, facts) =>
    when.firstDeployment === undefined ||
    (when.firstDeployment === facts.firstDeployment &&
      (facts.firstDeployment ? 'first deployment' : true)),
  (when, facts) =>
    when.rollbackOutsideWindow === undefined ||
    (when.rollbackOutsideWindow === facts.rollbackOutsideWindow &&
      (facts.rollbackOutsideWindow ? 'rollback outside the rollback window' : true)),
  (when, facts) =>
    when.windowApproval === undefined ||
    (when.windowApproval === facts.approvalWindows.length > 0 &&
      (facts.approvalWindows.length > 0
        ? `window ${facts.approvalWindows.join(', ')} requires approval`
        : true)),
];
