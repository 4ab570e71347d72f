import type { LintReport } from './domain/lint-finding.js';
import type { MigrationPhase } from './domain/migration-file.js';

/** One file to lint: its name as shown in findings, its SQL and its declared phase. */
export interface LintInput {
  readonly file: string;
  readonly sql: string;
  readonly phase: MigrationPhase | null;
}

/**
 * Lints migration files with squawk (the binary of the pinned `squawk-cli` package) and Ferry's
 * own classification on PostgreSQL's parser (`libpg-query`); `squawkLintMigrations` (lint/) is the
 * real one.
 */
export type LintMigrations = (inputs: readonly LintInput[]) => Promise<LintReport>;
