import type { Logger } from 'pino';
import { ConfigHolder } from '../config/config-holder.js';
import type { FerryConfig } from '../config/ferry-config.js';
import type { ArtifactService } from '../features/artifacts/artifact-service.js';
import { DeploymentController } from '../features/deployments/deployment-controller.js';
import {
  DeploymentService,
  type DeployAdmission,
  type DeployHolds,
  type RollbackAdmission,
} from '../features/deployments/deployment-service.js';
import type { RolloutAnalysis } from '../features/deployments/rollout-analysis.js';
import { RolloutService } from '../features/deployments/rollout-service.js';
import { SmokeChecks, type SmokeChecksOptions } from '../features/deployments/smoke-checks.js';
import type { EventLog } from '../features/events/event-log.js';
import type { InstanceRuntime } from '../features/instances/instance-runtime.js';
import type { TrafficRouter } from '../features/routing/traffic-router.js';
import type { Clock } from '../shared/clock.js';
import type { ScopeLock } from '../shared/scope-lock.js';
import type { FerryStores } from './ferry-stores.js';

/** What deployments and rollouts need from the rest of the server. */
export interface DeploymentParts {
  readonly config: FerryConfig;
  /** Where the configuration is read at use time; one around `config` when not given. */
  readonly holder?: ConfigHolder;
  readonly stores: Pick<FerryStores, 'deployments' | 'instances' | 'stops'>;
  readonly runtime: InstanceRuntime;
  readonly router: TrafficRouter;
  readonly events: EventLog;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The per service/environment guard the controller and both services share. */
  readonly locks: ScopeLock;
  readonly artifacts: ArtifactService;
  readonly analysis?: RolloutAnalysis;
  /** What an environment demands of an artifact entering it (promotion path, gates). */
  readonly admission?: DeployAdmission;
  /** Which deployments wait for people before they start (the risk policy's approvals). */
  readonly holds?: DeployHolds;
  /** What a rollback must pass (the migrations feature's contract guard); none by default. */
  readonly rollbackAdmission?: RollbackAdmission;
  /** Builds the smoke checks that report to `onSettled`; real HTTP checks by default. */
  readonly smokeChecks?: SmokeChecksOf;
  /** How often the controller reconciles when nothing wakes it; its own default otherwise. */
  readonly tickMs?: number;
}

/** Makes smoke checks that tell `onSettled` each instance's outcome. */
export type SmokeChecksOf = (
  onSettled: NonNullable<SmokeChecksOptions['onSettled']>,
) => SmokeChecks;

export interface ComposedDeployments {
  readonly controller: DeploymentController;
  readonly deployments: DeploymentService;
  readonly rollouts: RolloutService;
  /** Waits for smoke checks in flight (after the controller stopped). */
  settle(): Promise<void>;
}

/**
 * The rollout core: the controller that reconciles deployments (with smoke checks acting on
 * it), the service that creates deployments and wakes it, and the service of rollout actions.
 */
export function composeDeployments(parts: DeploymentParts): ComposedDeployments {
  const { stores, events, clock, locks } = parts;
  const holder = parts.holder ?? new ConfigHolder(parts.config);
  const smokeChecks = parts.smokeChecks ?? ((onSettled) => new SmokeChecks({ onSettled }));
  const smoke = smokeChecks((instanceId, status) => {
    const settled =
      status.state === 'failed'
        ? controller.onSmokeFailed(instanceId, status.message)
        : controller.onSmokePassed(instanceId);
    settled.catch((error: unknown) =>
      parts.logger.error({ err: error, instanceId }, 'acting on smoke checks failed'),
    );
  });
  const controller = composeController(parts, smoke);
  const deployments = new DeploymentService(
    holder,
    stores.deployments,
    stores.stops,
    parts.artifacts,
    events,
    clock,
    locks,
    () => controller.wake(),
    parts.admission,
    parts.holds,
    parts.rollbackAdmission,
  );
  const rollouts = new RolloutService(
    stores.deployments,
    controller,
    events,
    clock,
    locks,
    stores.stops,
    parts.analysis,
  );
  return { controller, deployments, rollouts, settle: () => smoke.settle() };
}

function composeController(parts: DeploymentParts, smoke: SmokeChecks): DeploymentController {
  return new DeploymentController({
    analysis: parts.analysis,
    smoke,
    locks: parts.locks,
    deployments: parts.stores.deployments,
    instances: parts.stores.instances,
    stops: parts.stores.stops,
    runtime: parts.runtime,
    router: parts.router,
    events: parts.events,
    clock: parts.clock,
    logger: parts.logger.child({ component: 'controller' }),
    tickMs: parts.tickMs,
  });
}
