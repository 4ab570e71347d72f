import type { Deployment } from '../domain/deployment.js';
import type { Transition } from '../domain/transitions.js';
import type { DeploymentWriter } from '../deployment-writer.js';
import type { RouterSync } from '../router-sync.js';
import type { ControllerDeps } from './controller-deps.js';
import type { InstanceActuator } from './instance-actuator.js';
import type { RolloutContext } from './rollout-context.js';

/** What every reconcile step works with: the ports, the writer, the actuator, and memory. */
export interface ReconcileEnv {
  readonly deps: ControllerDeps;
  readonly writer: DeploymentWriter;
  readonly actuator: InstanceActuator;
  readonly routerSync: RouterSync;
  /** The step each two-version rollout is at, recorded with its measurements. */
  readonly steps: Map<string, number>;
  /**
   * The expand gate by deployment id: the attempt it passed for in this process, or `waiting
   * <attempt>` while it runs (`reconcileMigrations`).
   */
  readonly migrated: Map<string, string>;
  /** Route failures already told in an event, by deployment and message. */
  readonly routeFailuresSaid: Set<string>;
  /** Stalled rollbacks already told, by deployment and the progress they stalled after. */
  readonly rollbackStallsSaid: Set<string>;
  /** Persists a transition of `deployment` and asks for another reconcile. */
  transit(deployment: Deployment, transition: Transition): Promise<void>;
}

/**
 * One step of a reconcile. Steps run in order; a step that returns `true` has done what this
 * reconcile should do (it changed the phase, say) and the ones after it do not run: the next
 * reconcile reads the new state and goes on from there.
 */
export type ReconcileStep = (context: RolloutContext, env: ReconcileEnv) => Promise<boolean>;
