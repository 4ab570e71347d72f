import type { InstanceRecord } from './instance-runtime.js';
import type { InstanceIntent, StoredInstance } from './instance.js';

/** Persistence port for instances. */
export interface InstanceStore {
  /** Rejects a second instance with the same id; an absent `smokePassedAt` reads back null. */
  insert(instance: StoredInstance): Promise<void>;
  /** Sets the fields given; a missing id changes nothing. */
  update(
    id: string,
    patch: {
      readonly intent?: InstanceIntent;
      readonly record?: InstanceRecord;
      readonly restarts?: number;
      readonly smokePassedAt?: string;
      readonly updatedAt: string;
    },
  ): Promise<void>;
  get(id: string): Promise<StoredInstance | undefined>;
  /** Instances not yet stopped, of one service/environment or of all, oldest first. */
  listLive(target?: {
    readonly service: string;
    readonly environment: string;
  }): Promise<readonly StoredInstance[]>;
  /** Every instance of one deployment, stopped ones included, oldest first (ties: id ascending). */
  listOfDeployment(deploymentId: string): Promise<readonly StoredInstance[]>;
}
