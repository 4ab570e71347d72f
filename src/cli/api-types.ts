/**
 * Shapes of the Ferry HTTP API as the CLI reads them. The server's schemas are the source of
 * truth; these are type-only imports of them, so the client is never typed twice.
 */
import type { Artifact } from '../features/artifacts/artifact.js';
import type { DeploymentView } from '../features/deployments/deployment-schemas.js';
import type { RolloutAction } from '../features/deployments/rollout-service.js';
import type { RolloutView, TrackStats } from '../features/deployments/rollout-view.js';
import type { FerryEvent } from '../features/events/event.js';
import type { EnvironmentMatrix as MatrixView } from '../features/promotion/environment-matrix.js';
import type {
  deployPlanSchema,
  promotionPlanSchema,
} from '../features/promotion/promotion-routes.js';
import type { z } from 'zod';
import type { InstanceView } from '../features/instances/instance-view.js';
import type { approvalSchema } from '../features/approvals/approval-routes.js';

/** An approval with its decisions, as `GET /api/v1/approvals` shows it. */
export type ApprovalView = z.infer<typeof approvalSchema>;

export type { ArtifactView } from '../features/artifacts/artifact-catalog.js';
export type { Collection } from '../features/artifacts/artifact-retention.js';
export type { Artifact, FerryEvent, RolloutAction, RolloutView, TrackStats };
export type Deployment = DeploymentView;
export type PromotionPlan = z.infer<typeof promotionPlanSchema>;
export type DeployPlan = z.infer<typeof deployPlanSchema>;
export type EnvironmentMatrix = MatrixView;
/** `POST /promotions`: the plan, and the rollout it started (null for a dry run). */
export interface PromotionResult {
  readonly plan: PromotionPlan;
  readonly deployment: Deployment | null;
  readonly noop: boolean;
}
export type Instance = InstanceView;
export type DeploymentPhase = Deployment['phase'];

/** Phases after which a rollout changes no more. */
export const finalPhases: readonly DeploymentPhase[] = ['Succeeded', 'RolledBack', 'Failed'];

/**
 * Phases where a rollout waits for a person: `Paused` for `ferry rollout promote` (or `resume`),
 * `Aborted` (traffic back on stable) for `ferry rollout retry`.
 */
export const waitingPhases: readonly DeploymentPhase[] = ['Paused', 'Aborted'];

/** `POST /deployments` and `POST /rollbacks`: the rollout, or the one already live (`noop`). */
/** What `POST /services/:name/stop` answers, once the service's instances have stopped. */
export interface StopResult {
  readonly service: string;
  readonly environment: string;
  readonly version: string | null;
  readonly stoppedAt: string;
  readonly actor: string;
  readonly noop: boolean;
}

export interface DeployResult {
  readonly deployment: Deployment;
  readonly noop: boolean;
  /** The rolling update that was rolling back and that this deployment ended. */
  readonly superseded?: { readonly id: string; readonly version: string };
}

/** One service in one environment, from `GET /services`. */
export interface EnvironmentStatus {
  readonly environment: string;
  readonly listen: string | null;
  readonly replicas: number;
  readonly live: Deployment | null;
  readonly active: Deployment | null;
  /** Set while the service is stopped (`ferry stop`); absent from servers before it existed. */
  readonly stopped?: { readonly stoppedAt: string; readonly actor: string } | null;
  readonly instances: readonly Instance[];
}

export interface ServiceStatus {
  readonly name: string;
  readonly environments: readonly EnvironmentStatus[];
}

export interface InstanceLogs {
  readonly id: string;
  readonly lines: readonly string[];
}
