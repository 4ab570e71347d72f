import { formatDuration } from '../../../shared/format-duration.js';
import { formatInZone } from '../../windows/domain/format-in-zone.js';
import type { WindowEffect } from '../../windows/domain/deployment-window.js';
import {
  describeRequirement,
  type GateRequirement,
} from '../../gate-results/domain/gate-requirement.js';

/**
 * One reason an artifact cannot move into an environment now. A promotion lists every one at
 * once, so a person fixes them together rather than one per try.
 */
export type PromotionBlocker =
  /** The environment promotes from nothing: deploy into it instead. */
  | { readonly kind: 'no_upstream'; readonly environment: string }
  | { readonly kind: 'never_deployed'; readonly upstream: string }
  | { readonly kind: 'upstream_stopped'; readonly upstream: string }
  | {
      readonly kind: 'upstream_in_progress';
      readonly upstream: string;
      readonly version: string;
      readonly deploymentId: string;
    }
  /** The upstream's newest deployment was undone: a rollback, or it ended Aborted/RolledBack/Failed. */
  | {
      readonly kind: 'upstream_rolled_back';
      readonly upstream: string;
      readonly version: string;
      readonly deploymentId: string;
      readonly phase: string;
      readonly rollback: boolean;
    }
  | { readonly kind: 'upstream_unhealthy'; readonly upstream: string; readonly detail: string }
  | {
      readonly kind: 'soak_not_met';
      readonly upstream: string;
      readonly soakMs: number;
      readonly leftMs: number;
    }
  | { readonly kind: 'gate_missing'; readonly requirement: GateRequirement }
  | {
      readonly kind: 'gate_failing';
      readonly requirement: GateRequirement;
      /** The value that failed a value requirement. */
      readonly actual?: number;
      readonly reportedAt: string;
      readonly url: string | null;
    }
  | {
      readonly kind: 'rollout_in_progress';
      readonly environment: string;
      readonly version: string;
      readonly deploymentId: string;
    }
  /**
   * A deployment window in force in the target: a freeze (`block`), or one that requires approval
   * (blocking too until approvals exist). `--emergency "reason"` passes it.
   */
  | {
      readonly kind: 'freeze';
      readonly environment: string;
      readonly window: string;
      readonly effect: WindowEffect;
      /** When the occurrence in force ends (ISO-8601 UTC). */
      readonly endsAt: string;
      /** The zone the window is written in; its end is said in it. */
      readonly timeZone: string;
    };

export type PromotionBlockerKind = PromotionBlocker['kind'];

/** The blocker as one sentence, e.g. `soak not met: 4m 10s of 10m left in staging`. */
export function describeBlocker(blocker: PromotionBlocker, version: string): string {
  switch (blocker.kind) {
    case 'no_upstream':
      return `${blocker.environment} promotes from no environment: deploy into it with "ferry deploy"`;
    case 'never_deployed':
      return `never deployed to ${blocker.upstream}: nothing is live there to promote`;
    case 'upstream_stopped':
      return `stopped in ${blocker.upstream}: "ferry start" it there first`;
    case 'upstream_in_progress':
      return `${blocker.upstream} is rolling out ${blocker.version} (${blocker.deploymentId}): wait until it ends`;
    case 'upstream_rolled_back':
      return blocker.rollback
        ? `${blocker.upstream} was rolled back to ${blocker.version} (${blocker.deploymentId}): deploy a fixed version there first`
        : `${blocker.upstream}'s last rollout of ${blocker.version} ended ${blocker.phase} (${blocker.deploymentId}): fix it there first`;
    case 'upstream_unhealthy':
      return `unhealthy in ${blocker.upstream}: ${blocker.detail}`;
    case 'soak_not_met':
      return `soak not met: ${formatDuration(blocker.leftMs)} of ${formatDuration(blocker.soakMs)} left in ${blocker.upstream}`;
    case 'gate_missing':
      return `gate missing: ${describeRequirement(blocker.requirement)} is required and ${version} has no ${requirementSubject(blocker.requirement)} report`;
    case 'gate_failing': {
      const requirement = describeRequirement(blocker.requirement);
      const actual =
        blocker.requirement.kind === 'value'
          ? `${blocker.requirement.value} is ${String(blocker.actual)}`
          : `${blocker.requirement.gate} failed`;
      const url = blocker.url ? `; ${blocker.url}` : '';
      return `gate failing: ${requirement} is required, ${actual} (reported ${blocker.reportedAt}${url})`;
    }
    case 'rollout_in_progress':
      return `${blocker.environment} is already rolling out ${blocker.version} (${blocker.deploymentId})`;
    case 'freeze': {
      const until = `until ${formatInZone(Date.parse(blocker.endsAt), blocker.timeZone)} (${blocker.timeZone})`;
      return blocker.effect === 'block'
        ? `${blocker.environment} is frozen by ${blocker.window} ${until}`
        : `${blocker.environment} requires approval in ${blocker.window} ${until}; approvals are not available yet, so it blocks unless --emergency`;
    }
  }
}

function requirementSubject(requirement: GateRequirement): string {
  return requirement.kind === 'passed' ? requirement.gate : requirement.value;
}
