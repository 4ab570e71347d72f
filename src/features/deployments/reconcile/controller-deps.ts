import type { Logger } from 'pino';
import type { Clock } from '../../../shared/clock.js';
import type { ScopeLock } from '../../../shared/scope-lock.js';
import type { EventLog } from '../../events/event-log.js';
import type { InstanceRuntime } from '../../instances/instance-runtime.js';
import type { InstanceStore } from '../../instances/instance-store.js';
import type { TrafficRouter } from '../../routing/traffic-router.js';
import type { DeploymentStore } from '../deployment-store.js';
import type { RolloutAnalysis } from '../rollout-analysis.js';
import type { SmokeChecks } from '../smoke-checks.js';
import type { StopStore } from '../stop-store.js';

/** The ports the rollout controller works through. */
export interface ControllerDeps {
  readonly deployments: DeploymentStore;
  readonly instances: InstanceStore;
  /** Services a person stopped: nothing of them runs and their routes stay closed. */
  readonly stops: StopStore;
  readonly runtime: InstanceRuntime;
  readonly router: TrafficRouter;
  readonly events: EventLog;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How many recent releases of a service stay unpacked for a fast rollback. Default 5. */
  readonly releasesToKeep?: number;
  /** Reconcile period when nothing wakes the loop. Default 250ms. */
  readonly tickMs?: number;
  /**
   * One change at a time per service/environment (key `service/environment`), shared with the
   * API's deployment and rollout commands so they never overwrite each other's state.
   */
  readonly locks: ScopeLock;
  /** Runs the rollouts' analysis; without it, analysis settings are not acted on. */
  readonly analysis?: RolloutAnalysis;
  /** Smoke checks of new instances before they get traffic; without it, `smoke` is not run. */
  readonly smoke?: SmokeChecks;
}

/** The lock key of a service/environment. */
export function scopeKey(target: {
  readonly service: string;
  readonly environment: string;
}): string {
  return `${target.service}/${target.environment}`;
}
