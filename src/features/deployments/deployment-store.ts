import type { Deployment, DeploymentPhase } from './domain/deployment.js';
import type { RolloutState } from './domain/rollout-state.js';

/** Persistence port for deployments. */
export interface DeploymentStore {
  /** Rejects a second deployment with the same id. */
  insert(deployment: Deployment): Promise<void>;
  /** Sets the fields given; a missing id changes nothing. */
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
  /** Newest first (ties: id descending), at most `limit`. */
  list(
    target: { readonly service: string; readonly environment: string },
    limit: number,
  ): Promise<readonly Deployment[]>;
  /** Deployments in an active phase, oldest first (ties: id ascending). */
  listActive(): Promise<readonly Deployment[]>;
  /** The newest deployment (ties: greatest id) of every service/environment that has one. */
  listLatest(): Promise<readonly Deployment[]>;
}
