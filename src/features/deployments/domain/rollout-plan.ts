import type { PauseCause } from './phase-cause.js';
import type { CanaryTraffic } from './canary-traffic.js';
import type { PlannedInstance } from './rolling-plan.js';
import type { RolloutState } from './rollout-state.js';

/** What a canary or blue-green planner is given: two versions side by side. */
export interface RolloutInput {
  readonly replicas: number;
  /**
   * Analysis that must pass first is still running: blue-green does not switch before its
   * pre-promotion analysis passed, nor retire the old set before its post-promotion analysis did.
   */
  readonly analysisPending?: boolean;
  readonly state: RolloutState;
  readonly phase: 'Progressing' | 'Paused' | 'Aborted';
  readonly now: number;
  /** Instances of the version that was live before this deployment. */
  readonly stable: readonly PlannedInstance[];
  /** Instances of the new version (the canary, or blue-green's preview set). */
  readonly canary: readonly PlannedInstance[];
  /** Canary with a baseline: fresh instances of the stable version started beside the canary. */
  readonly baseline?: readonly PlannedInstance[];
  /** Instances of any other version: they all go. */
  readonly others: readonly PlannedInstance[];
}

/** Where traffic goes while two versions run. */
export type RolloutRouting =
  | { readonly kind: 'canary'; readonly traffic: CanaryTraffic }
  | {
      readonly kind: 'blueGreen';
      /** Which set the service's route sends everything to. */
      readonly active: 'stable' | 'canary';
      /** Whether the preview route (the new set) is open. */
      readonly preview: boolean;
    };

/** One step of a canary or blue-green rollout. */
export interface RolloutPlan {
  readonly startStable: number;
  readonly startCanary: number;
  /** Baseline instances to start (canary with `baseline` only). */
  readonly startBaseline?: number;
  readonly stop: readonly string[];
  readonly routing: RolloutRouting;
  /** The state to persist; differs from the input when a step completed or traffic switched. */
  readonly state: RolloutState;
  /** Non-null: the rollout waits for `ferry rollout promote` (phase Paused) with this reason. */
  readonly pause: PauseCause | null;
  /** The new version runs alone at full scale: the deployment succeeded. */
  readonly done: boolean;
}

export function liveOf(instances: readonly PlannedInstance[]): PlannedInstance[] {
  return instances.filter((i) => i.state !== 'stopping');
}
