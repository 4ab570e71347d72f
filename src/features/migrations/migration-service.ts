import type { FerryConfig } from '../../config/ferry-config.js';
import { FerryError, InvalidRequestError, NotFoundError } from '../../errors/ferry-error.js';
import type { Clock } from '../../shared/clock.js';
import type { ScopeLock } from '../../shared/scope-lock.js';
import type { DeploymentStore } from '../deployments/deployment-store.js';
import type { Deployment } from '../deployments/domain/deployment.js';
import { effectiveService } from '../deployments/domain/effective-service.js';
import type { DatabaseConfig } from '../deployments/domain/service-spec.js';
import type { EventLog } from '../events/event-log.js';
import type { InstanceStore } from '../instances/instance-store.js';
import type { ArtifactMigrations } from './artifact-migrations.js';
import {
  contractReadiness,
  describeContractWait,
  liveDeployment,
} from './domain/contract-readiness.js';
import type { AppliedMigration, MigrationFile } from './domain/migration-file.js';
import type { PlanMigrations } from './domain/migration-plan.js';
import type { ApplyProgress, MigrationDatabase } from './migration-database.js';
import { fileView, type MigrationStatus, type PendingContract } from './migration-status.js';
import type { OpenServiceDatabase } from './open-service-database.js';

export interface MigrationTarget {
  readonly service: string;
  readonly environment: string;
}

/** What the migrations service reads and drives; the composition root gives the real ones. */
export interface MigrationServiceParts {
  readonly config: () => FerryConfig;
  readonly deployments: Pick<DeploymentStore, 'list'>;
  readonly instances: Pick<InstanceStore, 'listLive'>;
  readonly filesOf: ArtifactMigrations;
  readonly openDatabase: OpenServiceDatabase;
  readonly plan: PlanMigrations;
  readonly events: EventLog;
  readonly clock: Clock;
  /** One contract run at a time per service/environment (key `migrations/<service>/<env>`). */
  readonly locks: ScopeLock;
}

/** What `ferry migrations contract` did. */
export interface ContractResult {
  readonly service: string;
  readonly environment: string;
  /** Applied now, in order. */
  readonly applied: readonly AppliedMigration[];
  /** Later contract migrations that still wait (shipped in a version that is not ready yet). */
  readonly waiting: readonly PendingContract[];
  /** Nothing was pending. */
  readonly noop: boolean;
}

/** An applied contract migration and the version that shipped it in the environment. */
export interface AppliedContract {
  readonly migration: AppliedMigration;
  /** Path of the file in N's migrations folder; null when no deployed artifact ships it. */
  readonly path: string | null;
  readonly shippedIn: { readonly version: string; readonly digest: string } | null;
}

/** Who automatic contract runs are recorded as. */
export const autoContractActor = 'ferry:auto-contract';

/** How many deployments of a service/environment are read to order its artifacts. */
const historyDepth = 200;

/**
 * Database migrations per environment: what is applied, what is pending (expand, and contract
 * with every reason it waits), checksum mismatches; and running contract migrations once they are
 * safe (`contractReadiness`), with `migration.started/finished/failed` in the event log.
 */
export class MigrationService {
  constructor(private readonly parts: MigrationServiceParts) {}

  /** Status of every service with a `database` routed to `environment`, or of one. */
  async status(environment: string, service?: string): Promise<readonly MigrationStatus[]> {
    const config = this.parts.config();
    if (!config.environments.some((e) => e.name === environment)) {
      throw new NotFoundError('environment', environment);
    }
    if (service !== undefined) {
      this.databaseOf({ service, environment });
      return [await this.statusOf({ service, environment })];
    }
    const statuses = [];
    for (const [name, spec] of Object.entries(config.services)) {
      if (spec.database === undefined || !spec.routes[environment]) continue;
      statuses.push(await this.statusOf({ service: name, environment }));
    }
    return statuses;
  }

  /**
   * Runs the pending contract migrations of a service in an environment that are ready, in
   * order, stopping at the first that waits. Refused (`contract_waiting`, with every reason) when
   * the first one waits, and (`conflict`) when an applied file changed since.
   */
  contract(target: MigrationTarget, options: { actor: string }): Promise<ContractResult> {
    const database = this.databaseOf(target);
    const key = `migrations/${target.service}/${target.environment}`;
    return this.parts.locks.run(key, async () => {
      const status = await this.statusOf(target);
      if (status.error !== null) {
        throw new FerryError(
          'conflict',
          `${target.service} in ${target.environment}: ${status.error}`,
        );
      }
      const [mismatch] = status.mismatches;
      if (mismatch) {
        throw new FerryError(
          'conflict',
          `${mismatch.path} was applied with ${mismatch.applied} but is now ${mismatch.file}: an applied migration must not change; restore it and add a new one`,
          { extra: { mismatches: status.mismatches } },
        );
      }
      const pending = status.pendingContract;
      const firstWaiting = pending.findIndex((p) => !p.ready);
      const ready = firstWaiting < 0 ? pending : pending.slice(0, firstWaiting);
      const waiting = firstWaiting < 0 ? [] : pending.slice(firstWaiting);
      const base = { service: target.service, environment: target.environment, waiting };
      if (pending.length === 0) return { ...base, applied: [], noop: true };
      if (ready.length === 0) throw contractWaiting(target, waiting);
      const files = await this.filesFor(target, ready);
      const applied = await this.apply(target, database, files, options.actor, ready);
      return { ...base, applied, noop: false };
    });
  }

  /**
   * The contract migrations applied in an environment, each with the version that shipped it
   * there: what a rollback or deploy of an older artifact would break.
   */
  async appliedContracts(target: MigrationTarget): Promise<readonly AppliedContract[]> {
    const database = this.databaseOfOrNone(target);
    if (database === undefined) return [];
    const history = await this.readHistory(target, database);
    const contracts = history.filter((m) => m.phase === 'contract');
    if (contracts.length === 0) return [];
    const deployments = await this.parts.deployments.list(target, historyDepth);
    const files = this.fileCache(target.service);
    const result = [];
    for (const migration of contracts) {
      const shipped = await firstShipping(deployments, migration.version, files);
      result.push({
        migration,
        path: shipped?.file.path ?? null,
        shippedIn: shipped ? { version: shipped.version, digest: shipped.digest } : null,
      });
    }
    return result;
  }

  /** The files an artifact ships (for a check of an artifact never deployed in an environment). */
  filesOf(service: string, digest: string): Promise<readonly MigrationFile[]> {
    return this.parts.filesOf(service, digest);
  }

  /** Whether a service declares a database in an environment (and so has migrations). */
  hasDatabase(target: MigrationTarget): boolean {
    return this.databaseOfOrNone(target) !== undefined;
  }

  /** Status of one service in one environment; a database that cannot be read is in `error`. */
  async statusOf(target: MigrationTarget): Promise<MigrationStatus> {
    const database = this.databaseOf(target);
    const deployments = await this.parts.deployments.list(target, historyDepth);
    const shown = liveDeployment(deployments) ?? deployments[0];
    const files = this.fileCache(target.service);
    const shipped = shown ? await files(shown.artifactDigest) : [];
    let history: readonly AppliedMigration[];
    try {
      history = await this.readHistory(target, database);
    } catch (error) {
      return {
        ...target,
        artifact: shown ? { version: shown.version, digest: shown.artifactDigest } : null,
        applied: [],
        pendingExpand: shipped.filter((f) => f.phase === 'expand').map(fileView),
        pendingContract: [],
        mismatches: [],
        unknownApplied: [],
        error: error instanceof Error ? error.message : String(error),
      };
    }
    const plan = this.parts.plan(shipped, history);
    const instances = await this.parts.instances.listLive(target);
    const environment = this.parts.config().environments.find((e) => e.name === target.environment);
    const pendingContract: PendingContract[] = [];
    for (const file of plan.pendingContract) {
      const first = await firstShipping(deployments, file.version, files);
      const shippedIn = first ? { version: first.version, digest: first.digest } : null;
      const readiness = contractReadiness({
        shippedIn: shippedIn ?? { version: shown?.version ?? '?', digest: '' },
        history: deployments,
        instances,
        contractAfterMs: database.contractAfterMs,
        soakMs: environment?.soakMs ?? 0,
        now: this.parts.clock.now(),
      });
      const waits = readiness.ready ? [] : readiness.waits;
      pendingContract.push({
        file: fileView(file),
        shippedIn,
        ready: readiness.ready,
        waits,
        reasons: waits.map((w) => describeContractWait(w, target.environment)),
      });
    }
    return {
      ...target,
      artifact: shown ? { version: shown.version, digest: shown.artifactDigest } : null,
      applied: plan.applied,
      pendingExpand: plan.pendingExpand.map(fileView),
      pendingContract,
      mismatches: plan.mismatches,
      unknownApplied: plan.unknownApplied,
      error: null,
    };
  }

  private async apply(
    target: MigrationTarget,
    database: DatabaseConfig,
    files: readonly MigrationFile[],
    actor: string,
    pending: readonly PendingContract[],
  ): Promise<readonly AppliedMigration[]> {
    const subject = `migration/${target.service}/${target.environment}`;
    const shippedIn = new Map(pending.map((p) => [p.file.version, p.shippedIn?.version ?? null]));
    // The same fields as the expand gate's events: `version` is the artifact's, `migration` the file's.
    const payloadOf = (file: MigrationFile) => ({
      ...target,
      version: shippedIn.get(file.version) ?? null,
      migration: file.version,
      file: file.path,
      phase: file.phase,
      checksum: file.checksum,
    });
    const progress: Promise<unknown>[] = [];
    const onProgress = (event: ApplyProgress) => {
      if (event.stage !== 'target') return;
      const kind = event.kind === 'started' ? 'migration.started' : 'migration.finished';
      const timing = event.kind === 'finished' ? { durationMs: event.durationMs } : {};
      progress.push(
        this.parts.events.append({
          actor,
          kind,
          subject,
          payload: { ...payloadOf(event.file), ...timing },
        }),
      );
    };
    const db = this.parts.openDatabase(target, database);
    try {
      const outcome = await db.apply(files, {
        deploymentId: null,
        lockTimeoutMs: database.lockTimeoutMs,
        statementTimeoutMs: database.statementTimeoutMs,
        lockRetries: database.lockRetries,
        rehearse: true,
        onProgress,
      });
      await Promise.all(progress);
      if (outcome.ok) return outcome.applied;
      await this.parts.events.append({
        actor,
        kind: 'migration.failed',
        subject,
        payload: {
          ...payloadOf(outcome.file),
          stage: outcome.stage,
          code: outcome.code,
          reason: outcome.reason,
          blockedBy: outcome.blockedBy,
          cleanedUp: outcome.cleanedUp,
        },
      });
      throw new FerryError(
        'migration_failed',
        `${target.service} in ${target.environment}: ${outcome.reason}`,
        {
          extra: {
            failure: outcome.code,
            stage: outcome.stage,
            file: outcome.file.path,
            blockedBy: outcome.blockedBy,
            applied: outcome.applied,
          },
        },
      );
    } finally {
      await db.close();
    }
  }

  /** The pending files with their SQL, from the artifact whose files status compared. */
  private async filesFor(
    target: MigrationTarget,
    pending: readonly PendingContract[],
  ): Promise<readonly MigrationFile[]> {
    const deployments = await this.parts.deployments.list(target, historyDepth);
    const shown = liveDeployment(deployments) ?? deployments[0];
    const shipped = shown ? await this.parts.filesOf(target.service, shown.artifactDigest) : [];
    const wanted = new Set(pending.map((p) => p.file.version));
    return shipped.filter((f) => wanted.has(f.version));
  }

  private async readHistory(
    target: MigrationTarget,
    database: DatabaseConfig,
  ): Promise<readonly AppliedMigration[]> {
    const db: MigrationDatabase = this.parts.openDatabase(target, database);
    try {
      return await db.history();
    } finally {
      await db.close();
    }
  }

  /** Per call: each artifact's files are read once. */
  private fileCache(service: string): (digest: string) => Promise<readonly MigrationFile[]> {
    const cache = new Map<string, Promise<readonly MigrationFile[]>>();
    return (digest) => {
      let files = cache.get(digest);
      if (!files) {
        files = this.parts.filesOf(service, digest);
        cache.set(digest, files);
      }
      return files;
    };
  }

  private databaseOf(target: MigrationTarget): DatabaseConfig {
    const database = this.databaseOfOrNone(target);
    if (database === undefined) {
      throw new InvalidRequestError(
        `service ${target.service} declares no database; add services.${target.service}.database in ferry.yaml`,
        [{ path: `services.${target.service}.database`, message: 'missing' }],
      );
    }
    return database;
  }

  private databaseOfOrNone(target: MigrationTarget): DatabaseConfig | undefined {
    const config = this.parts.config();
    const spec = config.services[target.service];
    if (!spec) throw new NotFoundError('service', target.service);
    if (!config.environments.some((e) => e.name === target.environment)) {
      throw new NotFoundError('environment', target.environment);
    }
    return effectiveService(spec, target.environment).database;
  }
}

/**
 * The artifact that first shipped `version` in the environment's deployment order (oldest
 * deployment first), with the file as it shipped there.
 */
async function firstShipping(
  newestFirst: readonly Deployment[],
  version: string,
  files: (digest: string) => Promise<readonly MigrationFile[]>,
): Promise<{ version: string; digest: string; file: MigrationFile } | undefined> {
  const seen = new Set<string>();
  for (let i = newestFirst.length - 1; i >= 0; i--) {
    const d = newestFirst[i]!;
    if (seen.has(d.artifactDigest)) continue;
    seen.add(d.artifactDigest);
    const file = (await files(d.artifactDigest)).find((f) => f.version === version);
    if (file) return { version: d.version, digest: d.artifactDigest, file };
  }
  return undefined;
}

function contractWaiting(target: MigrationTarget, waiting: readonly PendingContract[]): FerryError {
  const [first] = waiting;
  const reasons = first?.reasons ?? [];
  return new FerryError(
    'contract_waiting',
    `${first?.file.path ?? 'the contract'} of ${target.service} waits in ${target.environment}: ${reasons.join('; ')}`,
    { extra: { waiting } },
  );
}
