import type { ServiceConfig } from './service-spec.js';
import type { RolloutState } from './rollout-state.js';
import type { PhaseCause } from './phase-cause.js';
import type { Condition } from './conditions.js';

/**
 * Phases of a deployment. `Progressing` moves traffic to the new artifact; `Paused` waits for a
 * person (`ferry rollout promote` or `resume`); `RollingBack` moves a rolling update back to the
 * previous artifact after a failure. `Aborted` (a canary or blue-green sent back to stable; it
 * can be retried), `Succeeded`, `RolledBack` and `Failed` are where a deployment rests.
 */
export const deploymentPhases = [
  'Progressing',
  'Paused',
  'Succeeded',
  'Aborted',
  'RollingBack',
  'RolledBack',
  'Failed',
] as const;
export type DeploymentPhase = (typeof deploymentPhases)[number];

export const activePhases: readonly DeploymentPhase[] = ['Progressing', 'Paused', 'RollingBack'];

/** Phases in which a canary or blue-green runs two versions side by side. */
export const twoVersionPhases: readonly DeploymentPhase[] = ['Progressing', 'Paused', 'Aborted'];

export const deploymentKinds = ['deploy', 'rollback'] as const;
export type DeploymentKind = (typeof deploymentKinds)[number];

/** One artifact going into one environment, and the durable state of its rollout. */
export interface Deployment {
  readonly id: string;
  readonly service: string;
  readonly environment: string;
  readonly kind: DeploymentKind;
  readonly artifactDigest: string;
  readonly version: string;
  readonly phase: DeploymentPhase;
  /** Why it is in its phase, for failures and rollbacks. */
  readonly reason: string | null;
  /** The deployment that was live before this one: what a failure rolls back to. */
  readonly previousId: string | null;
  /** The service's configuration when the deployment was created; the rollout follows it. */
  readonly spec: ServiceConfig;
  readonly actor: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly lastProgressAt: string;
  readonly finishedAt: string | null;
  /** Canary and blue-green progress; null for rolling updates. */
  readonly rollout: RolloutState | null;
  /**
   * A rollback to a version within the service's `rollbackWindow`: it skips the strategy's steps
   * and analysis and moves all traffic once the old version's instances are ready. Absent (false)
   * for deployments and for rollbacks that go through the strategy.
   */
  readonly fastRollback?: boolean;
  /** Why it is Paused, Aborted, RollingBack or Failed, as data; `reason` is its sentence. */
  readonly cause?: PhaseCause;
  /**
   * Instance failures (launch, crash loop, smoke) recorded as they happened, in order; the next
   * reconcile acts on them and clears them. Absent when there are none.
   */
  readonly conditions?: readonly Condition[];
}

export function isActive(phase: DeploymentPhase): boolean {
  return activePhases.includes(phase);
}
