import type { Deployment, DeploymentPhase } from './domain/deployment.js';
import type { RolloutState } from './domain/rollout-state.js';

/** Persistence port for deployments. */
export interface DeploymentStore {
  insert(deployment: Deployment): Promise<void>;
  update(
    id: string,
    patch: {
      readonly phase?: DeploymentPhase;
      readonly reason?: string | null;
      readonly lastProgressAt?: string;
      readonly finishedAt?: string | null;
      readonly rollout?: RolloutState;
      readonly updatedAt: string;
    },
  ): Promise<void>;
  get(id: string): Promise<Deployment | undefined>;
  /** Newest first. */
  list(
    target: { readonly service: string; readonly environment: string },
    limit: number,
  ): Promise<readonly Deployment[]>;
  /** Deployments in an active phase, oldest first. */
  listActive(): Promise<readonly Deployment[]>;
  /** The newest deployment of every service/environment that has one. */
  listLatest(): Promise<readonly Deployment[]>;
}
