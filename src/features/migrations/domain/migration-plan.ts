import type { AppliedMigration, MigrationFile } from './migration-file.js';

/** An applied migration whose file changed since: refused, as Flyway's `validate` does. */
export interface ChecksumMismatch {
  readonly version: string;
  readonly path: string;
  /** In the history table. */
  readonly applied: string;
  /** Of the file now. */
  readonly file: string;
}

/** What a set of shipped files means against a database's history. */
export interface MigrationPlan {
  readonly applied: readonly AppliedMigration[];
  readonly pendingExpand: readonly MigrationFile[];
  readonly pendingContract: readonly MigrationFile[];
  readonly mismatches: readonly ChecksumMismatch[];
  /** Applied versions no shipped file has (an older artifact): listed, never an error. */
  readonly unknownApplied: readonly AppliedMigration[];
  /**
   * Shipped, not applied, and declaring no phase: never pending, because no run applies a file
   * whose phase it cannot tell (lint reports it as an error).
   */
  readonly withoutPhase: readonly MigrationFile[];
}

export type PlanMigrations = (
  files: readonly MigrationFile[],
  history: readonly AppliedMigration[],
) => MigrationPlan;
