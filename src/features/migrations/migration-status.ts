import type { ContractWait } from './domain/contract-readiness.js';
import type { AppliedMigration, MigrationFile } from './domain/migration-file.js';
import type { ChecksumMismatch } from './domain/migration-plan.js';

/** A shipped file as status shows it: no SQL. */
export type MigrationFileView = Omit<MigrationFile, 'sql'>;

/** A contract migration not yet applied, and whether it may run now. */
export interface PendingContract {
  readonly file: MigrationFileView;
  /** The artifact that first shipped it in the environment (N); null when none deployed there did. */
  readonly shippedIn: { readonly version: string; readonly digest: string } | null;
  readonly ready: boolean;
  /** Every reason it waits; empty when ready. */
  readonly waits: readonly ContractWait[];
  /** The same, one readable line each. */
  readonly reasons: readonly string[];
}

/** `ferry migrations status` for one service in one environment. */
export interface MigrationStatus {
  readonly service: string;
  readonly environment: string;
  /** The artifact whose files are compared with the history: the live one, else the newest deployed. */
  readonly artifact: { readonly version: string; readonly digest: string } | null;
  readonly applied: readonly AppliedMigration[];
  readonly pendingExpand: readonly MigrationFileView[];
  readonly pendingContract: readonly PendingContract[];
  readonly mismatches: readonly ChecksumMismatch[];
  /** Applied versions the artifact does not ship (it is older than the database). */
  readonly unknownApplied: readonly AppliedMigration[];
  /** Why the database could not be read (its URL is not set, it is down); null when it was. */
  readonly error: string | null;
}

/** A shipped file without its SQL. */
export function fileView(file: MigrationFile): MigrationFileView {
  const { sql: _sql, ...view } = file;
  return view;
}

/** The file's name as people know it: `V3__drop_name.sql`. */
export function fileName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
