/**
 * The two phases of expand-contract. `expand` keeps the version still serving working (add a
 * nullable column, a table, an index built concurrently) and runs before a rollout; `contract`
 * removes what only older versions use and runs once nothing that could serve needs it.
 */
export const migrationPhases = ['expand', 'contract'] as const;

export type MigrationPhase = (typeof migrationPhases)[number];

/**
 * One migration file as shipped in an artifact, named the Flyway way: `V3__add_email.sql` or
 * `V3_1__backfill.sql` (version `3.1`). Its phase comes from a header comment
 * (`-- phase: contract`) or from the subfolder it sits in (`expand/`, `contract/`).
 */
export interface MigrationFile {
  /** Dotted version: `3`, `3.1`. Underscores in the file name read as dots, as in Flyway. */
  readonly version: string;
  /** From the name: `add_email` → `add email`. */
  readonly description: string;
  /** null when the file declares none: lint reports it and no run applies it. */
  readonly phase: MigrationPhase | null;
  /** Path relative to the migrations folder, with `/`: `expand/V3__add_email.sql`. */
  readonly path: string;
  readonly sql: string;
  /** `sha256:<64 hex>` of the file's bytes. */
  readonly checksum: string;
}

/** A row of Ferry's history table in the target database: one applied migration. */
export interface AppliedMigration {
  readonly version: string;
  readonly description: string;
  readonly phase: MigrationPhase;
  readonly checksum: string;
  /** ISO-8601 UTC. */
  readonly appliedAt: string;
  /** The deployment that applied it; null when a person ran it (`ferry migrations contract`). */
  readonly deploymentId: string | null;
  readonly durationMs: number;
}
