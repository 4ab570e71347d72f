import type { Logger } from 'pino';
import type { FerryConfig } from '../../config/ferry-config.js';
import { effectiveService } from '../deployments/domain/effective-service.js';
import { PeriodicTask } from '../analysis/periodic-task.js';
import type { Scheduler } from '../analysis/scheduler.js';
import { autoContractActor, type MigrationService } from './migration-service.js';

/** A contract migration the loop ran: where and which files. */
export interface AutoContracted {
  readonly service: string;
  readonly environment: string;
  readonly versions: readonly string[];
}

/**
 * Runs contract migrations by themselves, for services with `database.autoContract: true`, once
 * they are safe in an environment (the same checks as `ferry migrations contract`). A file that
 * failed once (a held lock, an SQL error) is not tried again by itself: a person looks at
 * `migration.failed` and runs `ferry migrations contract`.
 */
export class AutoContractor {
  private readonly loop: PeriodicTask;
  /** `service/environment/version@checksum` of files whose run failed. */
  private readonly failed = new Set<string>();

  constructor(
    private readonly config: () => FerryConfig,
    private readonly migrations: MigrationService,
    scheduler: Scheduler,
    private readonly logger: Logger,
    intervalMs = 30_000,
  ) {
    this.loop = new PeriodicTask(scheduler, intervalMs, () => this.tick());
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One pass over every service and environment that contracts by itself. */
  async tick(): Promise<readonly AutoContracted[]> {
    const done: AutoContracted[] = [];
    const config = this.config();
    for (const [service, spec] of Object.entries(config.services)) {
      for (const { name: environment } of config.environments) {
        if (!spec.routes[environment]) continue;
        if (effectiveService(spec, environment).database?.autoContract !== true) continue;
        const ran = await this.consider({ service, environment }).catch((error: unknown) => {
          this.logger.warn({ err: error, service, environment }, 'automatic contract failed');
          return undefined;
        });
        if (ran) done.push(ran);
      }
    }
    return done;
  }

  private async consider(target: { service: string; environment: string }) {
    const [status] = await this.migrations.status(target.environment, target.service);
    const first = status?.pendingContract[0];
    if (!status || status.error !== null || status.mismatches.length > 0) return undefined;
    if (!first?.ready || this.failed.has(keyOf(target, first.file))) return undefined;
    try {
      const result = await this.migrations.contract(target, { actor: autoContractActor });
      if (result.noop) return undefined;
      const versions = result.applied.map((m) => m.version);
      this.logger.info({ ...target, versions }, 'contract migrations applied');
      return { ...target, versions };
    } catch (error) {
      // Files before the failed one were applied: the first still pending is the one that failed.
      const [after] = await this.migrations.status(target.environment, target.service);
      this.failed.add(keyOf(target, after?.pendingContract[0]?.file ?? first.file));
      throw error;
    }
  }
}

function keyOf(
  target: { service: string; environment: string },
  file: { version: string; checksum: string },
): string {
  return `${target.service}/${target.environment}/${file.version}@${file.checksum}`;
}
