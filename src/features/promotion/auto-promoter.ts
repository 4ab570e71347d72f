import type { Logger } from 'pino';
import type { FerryConfig } from '../../config/ferry-config.js';
import { PeriodicTask } from '../analysis/periodic-task.js';
import type { Scheduler } from '../analysis/scheduler.js';
import type { DeploymentService } from '../deployments/deployment-service.js';
import type { PromotionService } from './promotion-service.js';

/** Who auto-promotions are recorded as. */
export const autoPromoteActor = 'ferry:auto-promote';

/**
 * Promotes by itself into every environment with `autoPromote: true`, once the upstream's live
 * artifact has soaked, passed the environment's gates and is healthy: the same checks as
 * `ferry promote`. An artifact that already entered the environment once and is not live there
 * now (it was aborted or rolled back) is never promoted again by itself: a person decides.
 */
export class AutoPromoter {
  private readonly loop: PeriodicTask;

  constructor(
    private readonly config: () => FerryConfig,
    private readonly promotions: PromotionService,
    private readonly deployments: DeploymentService,
    scheduler: Scheduler,
    private readonly logger: Logger,
    intervalMs = 5_000,
  ) {
    this.loop = new PeriodicTask(scheduler, intervalMs, () => this.tick());
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One pass over every auto-promoting environment; returns the promotions it started. */
  async tick(): Promise<readonly { service: string; to: string; version: string }[]> {
    const started = [];
    const config = this.config();
    for (const environment of config.environments) {
      if (!environment.autoPromote || environment.from === null) continue;
      for (const [service, spec] of Object.entries(config.services)) {
        if (!spec.routes[environment.name]) continue;
        const promoted = await this.consider(service, environment.name).catch((error: unknown) => {
          this.logger.warn({ err: error, service, to: environment.name }, 'auto-promotion failed');
          return undefined;
        });
        if (promoted) started.push(promoted);
      }
    }
    return started;
  }

  private async consider(service: string, to: string) {
    const plan = await this.promotions.plan(service, to);
    if (plan.blockers.length > 0 || plan.artifact === null || plan.upToDate) return undefined;
    const digest = plan.artifact.digest;
    const history = await this.deployments.list({ service, environment: to }, 100);
    if (history.some((d) => d.artifactDigest === digest)) return undefined;
    const { result } = await this.promotions.promote(service, to, autoPromoteActor);
    if (!result || result.noop) return undefined;
    this.logger.info({ service, to, version: plan.artifact.version }, 'auto-promoted');
    return { service, to, version: plan.artifact.version };
  }
}
