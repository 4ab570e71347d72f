import type { Logger } from 'pino';
import type { FerryConfig } from '../config/ferry-config.js';
import type { Scheduler } from '../features/analysis/scheduler.js';
import type { ArtifactService } from '../features/artifacts/artifact-service.js';
import type {
  DeployAdmission,
  DeploymentService,
} from '../features/deployments/deployment-service.js';
import { DeployPlanner } from '../features/promotion/deploy-planner.js';
import type { GateResultStore } from '../features/gate-results/gate-result-store.js';
import type { InstanceRuntime } from '../features/instances/instance-runtime.js';
import type { InstanceStore } from '../features/instances/instance-store.js';
import { AutoPromoter } from '../features/promotion/auto-promoter.js';
import { instanceHealth } from '../features/promotion/instance-health.js';
import { PromotionService, type HealthCheck } from '../features/promotion/promotion-service.js';
import type { Clock } from '../shared/clock.js';

export interface PromotionParts {
  readonly config: () => FerryConfig;
  readonly deployments: DeploymentService;
  /** The same admission every deploy passes, for `ferry deploy --dry-run`. */
  readonly admission: DeployAdmission;
  readonly gateResults: GateResultStore;
  readonly artifacts: ArtifactService;
  readonly instances: InstanceStore;
  readonly runtime: InstanceRuntime;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** How often environments with `autoPromote` are looked at; 5 s by default. */
  readonly autoPromoteEveryMs?: number;
}

export interface ComposedPromotion {
  readonly promotions: PromotionService;
  readonly autoPromoter: AutoPromoter;
  readonly health: HealthCheck;
  readonly deployPlanner: DeployPlanner;
}

/** Promotion along the environments' path, by hand (`ferry promote`) and by itself. */
export function composePromotion(parts: PromotionParts): ComposedPromotion {
  const health = instanceHealth(parts.instances, parts.runtime);
  const promotions = new PromotionService(
    parts.config,
    parts.deployments,
    parts.gateResults,
    parts.artifacts,
    health,
    parts.clock,
  );
  const autoPromoter = new AutoPromoter(
    parts.config,
    promotions,
    parts.deployments,
    parts.scheduler,
    parts.logger.child({ component: 'auto-promote' }),
    parts.autoPromoteEveryMs,
  );
  const deployPlanner = new DeployPlanner(
    parts.config,
    parts.deployments,
    parts.artifacts,
    parts.admission,
    parts.clock,
  );
  return { promotions, autoPromoter, health, deployPlanner };
}
