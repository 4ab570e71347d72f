import type { AppliedMigration, MigrationFile } from './domain/migration-file.js';

/** How a run treats locks and time: Ferry sets the timeouts itself (defaults 2 s and 5 min). */
export interface ApplyOptions {
  /** Recorded in the history table. */
  readonly deploymentId: string | null;
  readonly lockTimeoutMs: number;
  readonly statementTimeoutMs: number;
  /** Further attempts, with backoff, of a migration that could not take its lock. */
  readonly lockRetries: number;
  /** Run the files on a schema-only clone of the target first, and touch the target only if that passed. */
  readonly rehearse: boolean;
  /** Told as each file starts and ends, for the event log. */
  readonly onProgress?: (progress: ApplyProgress) => void;
}

export type ApplyProgress =
  | { readonly kind: 'started'; readonly stage: ApplyStage; readonly file: MigrationFile }
  | {
      readonly kind: 'finished';
      readonly stage: ApplyStage;
      readonly file: MigrationFile;
      readonly durationMs: number;
    };

/** `rehearsal`: the schema-only clone; `target`: the real database. */
export type ApplyStage = 'rehearsal' | 'target';

/** The session that held the lock a migration waited for, as PostgreSQL names it. */
export interface BlockingQuery {
  readonly pid: number;
  readonly query: string;
  /** e.g. `AccessExclusiveLock on table accounts`; null when PostgreSQL did not say. */
  readonly lock: string | null;
}

/**
 * Why a run failed. `rehearsal_failed`: the schema-only clone could not be made (pg_dump or psql
 * missing, no right to create a database); the target was not touched.
 */
export const applyFailureCodes = [
  'lock_timeout',
  'statement_timeout',
  'sql_error',
  'checksum_mismatch',
  'rehearsal_failed',
] as const;

export type ApplyFailureCode = (typeof applyFailureCodes)[number];

export type ApplyOutcome =
  | { readonly ok: true; readonly applied: readonly AppliedMigration[] }
  | {
      readonly ok: false;
      /** Applied before the failure (each file is its own transaction); the failed one is not. */
      readonly applied: readonly AppliedMigration[];
      readonly stage: ApplyStage;
      /** The file that failed; for `rehearsal_failed`, the first file that would have run. */
      readonly file: MigrationFile;
      /** One readable line: `V3__add_email.sql: lock timeout after 3 attempts on table accounts`. */
      readonly reason: string;
      readonly code: ApplyFailureCode;
      readonly blockedBy: BlockingQuery | null;
      /** What was undone by hand after a non-transactional statement failed (`DROP INDEX CONCURRENTLY x`). */
      readonly cleanedUp: readonly string[];
    };

/**
 * The database a service's migrations run against (PostgreSQL). Ferry keeps its history table
 * (`ferry_schema_history`) there, beside the service's own tables.
 */
export interface MigrationDatabase {
  /** The applied migrations, oldest first; empty (and the table created) on first use. */
  history(): Promise<readonly AppliedMigration[]>;
  /**
   * Applies `files` in order, each in its own transaction unless it cannot run in one
   * (`CREATE INDEX CONCURRENTLY`). Refuses, before touching anything, a file whose version is
   * already applied with another checksum.
   */
  apply(files: readonly MigrationFile[], options: ApplyOptions): Promise<ApplyOutcome>;
  close(): Promise<void>;
}

/** Opens the migration database of a service in an environment, from its resolved URL. */
export type OpenMigrationDatabase = (url: string) => MigrationDatabase;
