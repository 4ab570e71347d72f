import type { Deployment } from '../../deployments/domain/deployment.js';
import { isActive } from '../../deployments/domain/deployment.js';
import type {
  GateRequirement,
  RequirementCheck,
} from '../../gate-results/domain/gate-requirement.js';
import type { PromotionBlocker } from './promotion-blocker.js';

/** What is known of the upstream environment when a promotion is weighed. */
export interface UpstreamFacts {
  readonly environment: string;
  /** The newest deployment there, whatever its phase. */
  readonly latest: Deployment | undefined;
  /** The deployment serving there now (newest Succeeded), if any. */
  readonly live: Deployment | undefined;
  readonly stopped: boolean;
  /** Undefined when healthy; otherwise what is wrong, e.g. `1 of 2 instances ready`. */
  readonly unhealthy: string | undefined;
}

/** What is known of the environment the artifact would enter. */
export interface TargetFacts {
  readonly environment: string;
  readonly soakMs: number;
  readonly require: readonly GateRequirement[];
  /** A rollout running there now. */
  readonly active: Deployment | undefined;
}

/**
 * Every reason the upstream's live artifact cannot be promoted into the target now; empty when it
 * can. `gateChecks` are the target's requirements checked against that artifact's evidence.
 */
export function checkPromotion(
  upstream: UpstreamFacts,
  target: TargetFacts,
  gateChecks: readonly RequirementCheck[],
  now: number,
): PromotionBlocker[] {
  const blockers: PromotionBlocker[] = [];
  const from = upstream.environment;
  if (target.active) {
    blockers.push({
      kind: 'rollout_in_progress',
      environment: target.environment,
      version: target.active.version,
      deploymentId: target.active.id,
    });
  }
  const latest = upstream.latest;
  if (!latest) return [...blockers, { kind: 'never_deployed', upstream: from }];
  if (upstream.stopped) blockers.push({ kind: 'upstream_stopped', upstream: from });
  if (isActive(latest.phase)) {
    blockers.push({
      kind: 'upstream_in_progress',
      upstream: from,
      version: latest.version,
      deploymentId: latest.id,
    });
  } else if (latest.kind === 'rollback' || latest.phase !== 'Succeeded') {
    blockers.push({
      kind: 'upstream_rolled_back',
      upstream: from,
      version: latest.version,
      deploymentId: latest.id,
      phase: latest.phase,
      rollback: latest.kind === 'rollback',
    });
  }
  const live = upstream.live;
  if (!live) {
    if (
      !blockers.some((b) => b.kind === 'upstream_rolled_back' || b.kind === 'upstream_in_progress')
    )
      blockers.push({ kind: 'never_deployed', upstream: from });
    return blockers;
  }
  if (upstream.unhealthy !== undefined && !upstream.stopped) {
    blockers.push({ kind: 'upstream_unhealthy', upstream: from, detail: upstream.unhealthy });
  }
  const since = Date.parse(live.finishedAt ?? live.updatedAt);
  const leftMs = target.soakMs - (now - since);
  if (leftMs > 0) {
    blockers.push({ kind: 'soak_not_met', upstream: from, soakMs: target.soakMs, leftMs });
  }
  blockers.push(...gateBlockers(gateChecks));
  return blockers;
}

/** The unmet requirements as blockers, in the order the environment lists them. */
export function gateBlockers(checks: readonly RequirementCheck[]): PromotionBlocker[] {
  return checks.flatMap((check): PromotionBlocker[] => {
    if (check.met) return [];
    if (check.problem === 'missing' || !check.evidence) {
      return [{ kind: 'gate_missing', requirement: check.requirement }];
    }
    return [
      {
        kind: 'gate_failing',
        requirement: check.requirement,
        ...(check.actual !== undefined ? { actual: check.actual } : {}),
        reportedAt: check.evidence.reportedAt,
        url: check.evidence.url,
      },
    ];
  });
}
