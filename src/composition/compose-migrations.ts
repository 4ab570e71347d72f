import type { Logger } from 'pino';
import type { FerryConfig } from '../config/ferry-config.js';
import type { Scheduler } from '../features/analysis/scheduler.js';
import type { Artifact } from '../features/artifacts/artifact.js';
import type { DeploymentStore } from '../features/deployments/deployment-store.js';
import type { EventLog } from '../features/events/event-log.js';
import type { GateReport } from '../features/gate-results/gate-result-service.js';
import type { GateResult } from '../features/gate-results/domain/gate-result.js';
import type { InstanceStore } from '../features/instances/instance-store.js';
import type { ArtifactMigrations } from '../features/migrations/artifact-migrations.js';
import { AutoContractor } from '../features/migrations/auto-contractor.js';
import { contractGuard, type ContractGuard } from '../features/migrations/contract-guard.js';
import type { PlanMigrations } from '../features/migrations/domain/migration-plan.js';
import { lintGate } from '../features/migrations/lint-gate.js';
import type { LintMigrations } from '../features/migrations/lint-migrations.js';
import { MigrationService } from '../features/migrations/migration-service.js';
import type { OpenServiceDatabase } from '../features/migrations/open-service-database.js';
import type { Clock } from '../shared/clock.js';
import type { ScopeLock } from '../shared/scope-lock.js';

/**
 * What database migrations run on: reading an artifact's files, the service's PostgreSQL
 * database, the plan of files against its history, and the lint. `realParts` gives the real
 * ones; without them a server has no migrations feature.
 */
export interface MigrationAdapters {
  readonly filesOf: ArtifactMigrations;
  readonly openDatabase: OpenServiceDatabase;
  readonly plan: PlanMigrations;
  /** Lints each pushed artifact's files into the `migrations` gate; no gate without it. */
  readonly lint?: LintMigrations;
}

export interface ComposedMigrations {
  readonly migrations: MigrationService;
  readonly autoContractor: AutoContractor;
  /** Deploys and rollbacks pass it: nothing older than an applied contract, unless forced. */
  readonly guard: ContractGuard;
  /** Lints a pushed artifact into the `migrations` gate; undefined without a lint. */
  readonly lintGate: ((artifact: Artifact) => Promise<GateResult | undefined>) | undefined;
}

/** The migrations feature on its adapters and the stores it reads. */
export function composeMigrations(parts: {
  readonly adapters: MigrationAdapters;
  readonly config: () => FerryConfig;
  readonly deployments: DeploymentStore;
  readonly instances: InstanceStore;
  readonly events: EventLog;
  readonly clock: Clock;
  readonly locks: ScopeLock;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** Records lint results as gate evidence. */
  readonly report: (report: GateReport) => Promise<GateResult>;
  /** How often automatic contract looks; 30 s by default. */
  readonly autoContractEveryMs?: number;
}): ComposedMigrations {
  const { adapters } = parts;
  const migrations = new MigrationService({
    config: parts.config,
    deployments: parts.deployments,
    instances: parts.instances,
    filesOf: adapters.filesOf,
    openDatabase: adapters.openDatabase,
    plan: adapters.plan,
    events: parts.events,
    clock: parts.clock,
    locks: parts.locks,
  });
  const autoContractor = new AutoContractor(
    parts.config,
    migrations,
    parts.scheduler,
    parts.logger.child({ component: 'auto-contract' }),
    parts.autoContractEveryMs,
  );
  const lint = adapters.lint;
  return {
    migrations,
    autoContractor,
    guard: contractGuard(migrations, parts.deployments),
    lintGate: lint
      ? lintGate({
          config: parts.config,
          filesOf: adapters.filesOf,
          lint,
          report: parts.report,
          logger: parts.logger.child({ component: 'migrations-lint' }),
        })
      : undefined,
  };
}
