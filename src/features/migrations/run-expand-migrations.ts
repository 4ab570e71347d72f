import type { Clock } from '../../shared/clock.js';
import type { Deployment } from '../deployments/domain/deployment.js';
import type { EventLog } from '../events/event-log.js';
import type { NewEvent } from '../events/event.js';
import { databaseUrlOf, redactUrl } from './domain/database-url.js';
import type { MigrationFile } from './domain/migration-file.js';
import type { PlanMigrations } from './domain/migration-plan.js';
import type { ParsedMigrations } from './domain/parse-migration-files.js';
import type { ApplyOutcome, ApplyProgress, OpenMigrationDatabase } from './migration-database.js';

/** What running a release's expand migrations needs. */
export interface ExpandMigrationsDeps {
  /** The migration files an artifact ships under `folder` (`readArtifactMigrations`). */
  readonly filesOf: (digest: string, folder: string) => Promise<ParsedMigrations>;
  readonly open: OpenMigrationDatabase;
  readonly plan: PlanMigrations;
  readonly events: EventLog;
  readonly clock: Clock;
  /** Ferry's own environment, where a URL not in the service's env is looked up. */
  readonly ferryEnv: Readonly<Record<string, string | undefined>>;
}

/** How a run of the expand gate ended, as its analysis run records it. */
export interface ExpandVerdict {
  readonly phase: 'Successful' | 'Failed' | 'Error';
  readonly message: string;
}

/**
 * Applies the expand migrations `deployment`'s artifact ships and its database has not applied:
 * first on a schema-only clone, then on the database itself, with the service's lock and statement
 * timeouts and lock retries, the deployment recorded in the history table. Idempotent: what an
 * earlier, interrupted run applied is in the history table and is not pending any more. Each file
 * is told in the event log (`migration.started`, `migration.finished`, `migration.failed`). The
 * database URL appears in no event, message or error.
 */
export async function runExpandMigrations(
  deployment: Deployment,
  deps: ExpandMigrationsDeps,
): Promise<ExpandVerdict> {
  const database = deployment.spec.database;
  if (!database) return { phase: 'Successful', message: 'the service declares no database' };
  const tell = teller(deployment, deps.events);
  const parsed = await deps.filesOf(deployment.artifactDigest, database.migrations);
  if (parsed.problems.length > 0) {
    const reason = `migration files of ${deployment.version}: ${parsed.problems.map((p) => p.message).join('; ')}`;
    await tell('migration.failed', { reason });
    return { phase: 'Failed', message: reason };
  }
  const url = databaseUrlOf(deployment.spec, deployment.environment, deps.ferryEnv);
  if (!url.found) {
    await tell('migration.failed', { reason: url.message });
    return { phase: 'Failed', message: url.message };
  }
  let db;
  try {
    db = deps.open(url.url);
    const plan = deps.plan(parsed.files, await db.history());
    if (plan.mismatches.length > 0) {
      const reason = plan.mismatches
        .map(
          (m) =>
            `${m.path}: applied with checksum ${m.applied}, the file now has ${m.file}; ` +
            'an applied migration must not change: ship the change as a new version',
        )
        .join('; ');
      await tell('migration.failed', { reason, code: 'checksum_mismatch' });
      return { phase: 'Failed', message: reason };
    }
    const pending = plan.pendingExpand;
    if (pending.length === 0) {
      return { phase: 'Successful', message: 'no pending expand migrations' };
    }
    const progress = progressTeller(tell);
    const outcome = await db.apply(pending, {
      deploymentId: deployment.id,
      lockTimeoutMs: database.lockTimeoutMs,
      statementTimeoutMs: database.statementTimeoutMs,
      lockRetries: database.lockRetries,
      rehearse: true,
      onProgress: progress.on,
    });
    await progress.done();
    if (!outcome.ok) {
      const reason = redactUrl(failureOf(outcome), url.url);
      await tell('migration.failed', {
        migration: outcome.file.version,
        file: outcome.file.path,
        stage: outcome.stage,
        code: outcome.code,
        reason,
        ...(outcome.blockedBy ? { blockedBy: outcome.blockedBy } : {}),
        ...(outcome.cleanedUp.length > 0 ? { cleanedUp: outcome.cleanedUp } : {}),
      });
      return { phase: 'Failed', message: reason };
    }
    return { phase: 'Successful', message: `applied ${describeFiles(pending)}` };
  } catch (error) {
    const reason = redactUrl(error instanceof Error ? error.message : String(error), url.url);
    await tell('migration.failed', { reason });
    return { phase: 'Error', message: `migrations could not run: ${reason}` };
  } finally {
    await db?.close().catch(() => undefined);
  }
}

/** `V2 (expand/V2__add_display_name.sql)`, for the run's message. */
function describeFiles(files: readonly MigrationFile[]): string {
  return files.map((file) => `V${file.version} (${file.path})`).join(', ');
}

/** One line: the file, what went wrong, and what held the lock when PostgreSQL said. */
function failureOf(outcome: Extract<ApplyOutcome, { ok: false }>): string {
  const stage = outcome.stage === 'rehearsal' ? 'on the schema-only rehearsal: ' : '';
  const blocked = outcome.blockedBy
    ? ` (blocked by pid ${outcome.blockedBy.pid}` +
      (outcome.blockedBy.lock ? ` holding ${outcome.blockedBy.lock}` : '') +
      `: ${outcome.blockedBy.query})`
    : '';
  const cleaned =
    outcome.cleanedUp.length > 0 ? `; cleaned up: ${outcome.cleanedUp.join('; ')}` : '';
  return `${stage}${outcome.reason}${blocked}${cleaned}`;
}

type Tell = (kind: string, extra: Record<string, unknown>) => Promise<void>;

function teller(deployment: Deployment, events: EventLog): Tell {
  return async (kind, extra) => {
    const event: NewEvent = {
      actor: 'controller',
      kind,
      subject: `deployment/${deployment.id}`,
      payload: {
        service: deployment.service,
        environment: deployment.environment,
        deployment: deployment.id,
        version: deployment.version,
        ...extra,
      },
    };
    await events.append(event);
  };
}

/**
 * The runner tells progress synchronously; events are appended in that order, one after another,
 * and `done` waits for them. The rehearsal's progress is not told: only the target's, and failures.
 */
function progressTeller(tell: Tell) {
  let chain: Promise<void> = Promise.resolve();
  const on = (progress: ApplyProgress) => {
    if (progress.stage !== 'target') return;
    const file = { migration: progress.file.version, file: progress.file.path };
    chain = chain.then(() =>
      progress.kind === 'started'
        ? tell('migration.started', { ...file, phase: progress.file.phase })
        : tell('migration.finished', { ...file, durationMs: progress.durationMs }),
    );
  };
  return { on, done: () => chain };
}
