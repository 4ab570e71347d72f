import type { MigrationService, MigrationTarget } from './migration-service.js';
import type { MigrationStatus } from './migration-status.js';

/** A service's migrations in one environment in a few numbers, for `ferry env`. */
export interface MigrationSummary {
  readonly applied: number;
  readonly pendingExpand: number;
  readonly pendingContract: number;
  /** Pending contract migrations that may run now. */
  readonly readyContract: number;
  readonly mismatches: number;
  /** The first reason the first waiting contract migration waits; null when none waits. */
  readonly waiting: string | null;
  /** Why the database could not be read; null when it was. */
  readonly error: string | null;
}

/** The counts of a status, and the first reason a contract waits. */
export function summarizeMigrations(status: MigrationStatus): MigrationSummary {
  const waiting = status.pendingContract.find((p) => !p.ready);
  return {
    applied: status.applied.length,
    pendingExpand: status.pendingExpand.length,
    pendingContract: status.pendingContract.length,
    readyContract: status.pendingContract.filter((p) => p.ready).length,
    mismatches: status.mismatches.length,
    waiting: waiting ? `${waiting.file.path}: ${waiting.reasons[0] ?? 'waits'}` : null,
    error: status.error,
  };
}

/**
 * One short line: `2 applied, V3__drop_name.sql waits: …`, `contract ready`, `checksum
 * mismatch`; null when there is nothing to say beyond what is applied.
 */
export function describeMigrationSummary(summary: MigrationSummary): string {
  if (summary.error !== null) return `database: ${summary.error}`;
  const parts = [`${summary.applied} applied`];
  if (summary.mismatches > 0) parts.push(`${summary.mismatches} checksum mismatch`);
  if (summary.pendingExpand > 0) parts.push(`${summary.pendingExpand} expand pending`);
  if (summary.readyContract > 0) parts.push(`${summary.readyContract} contract ready`);
  if (summary.waiting !== null) parts.push(`contract waits: ${summary.waiting}`);
  return parts.join(', ');
}

/**
 * The summary of a service in an environment, null when it has no database there; a failure to
 * read its files or database is the summary's `error`, so `ferry env` still answers.
 */
export function migrationSummaries(
  migrations: MigrationService,
): (target: MigrationTarget) => Promise<MigrationSummary | null> {
  return async (target) => {
    if (!migrations.hasDatabase(target)) return null;
    try {
      return summarizeMigrations(await migrations.statusOf(target));
    } catch (error) {
      return {
        applied: 0,
        pendingExpand: 0,
        pendingContract: 0,
        readyContract: 0,
        mismatches: 0,
        waiting: null,
        error: error instanceof Error ? error.message : String(error),
      };
    }
  };
}
