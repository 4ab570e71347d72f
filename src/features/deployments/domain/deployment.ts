import type { ServiceConfig } from '../../../config/ferry-config.js';

/**
 * Phases of a deployment. `Progressing` moves traffic to the new artifact; `RollingBack` moves
 * it back to the previous one after a failure; the other three are final.
 */
export const deploymentPhases = [
  'Progressing',
  'Succeeded',
  'RollingBack',
  'RolledBack',
  'Failed',
] as const;
export type DeploymentPhase = (typeof deploymentPhases)[number];

export const activePhases: readonly DeploymentPhase[] = ['Progressing', 'RollingBack'];

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
}

export function isActive(phase: DeploymentPhase): boolean {
  return activePhases.includes(phase);
}
