import type { MigrationPhase } from './migration-file.js';

export const lintSeverities = ['error', 'warning'] as const;

export type LintSeverity = (typeof lintSeverities)[number];

/**
 * One finding of `ferry migrations lint`, from squawk or from Ferry's own classification. An
 * `error` blocks reads or writes on a live table for longer than a moment, or breaks the version
 * still serving; style and robustness findings are warnings.
 */
export interface LintFinding {
  /** squawk's rule name (`adding-required-field`) or Ferry's (`contract-in-expand`). */
  readonly rule: string;
  readonly severity: LintSeverity;
  /** 1-based, in the file. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  readonly message: string;
  /** What to do instead; null when the rule has no advice. */
  readonly help: string | null;
  /** The phase the statement needs: `contract` when it breaks the version still serving. */
  readonly phase: MigrationPhase;
}

/** Findings of one file, as `--json` prints them. */
export interface LintedFile {
  /** As given on the command line or relative to the migrations folder. */
  readonly file: string;
  readonly findings: readonly LintFinding[];
}

export interface LintReport {
  readonly files: readonly LintedFile[];
}

/** Whether `report` holds an error (the CLI then exits 1, a `migrations` gate fails). */
export function hasLintErrors(report: LintReport): boolean {
  return report.files.some((file) => file.findings.some((finding) => finding.severity === 'error'));
}
