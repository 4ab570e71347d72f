import type { LintSeverity } from './lint-finding.js';

/**
 * Ferry's own lint rules, on PostgreSQL's parser, each with its help. Each is an `error`: the
 * statement blocks reads or writes on a live table for longer than a moment, breaks the version
 * still serving, or the file cannot run at all. What each fires on, and the squawk rule table,
 * are in docs/migrations.md; contract statements are those `classifyStatement` lists.
 */
export const ferryRules = {
  'missing-phase':
    'Add `-- phase: expand` (or `contract`) as the first line, or move the file into expand/ or contract/.',
  'migration-name':
    'Name it V<version>__<description>.sql, e.g. V3__add_email.sql, with one phase.',
  'syntax-error': null,
  'contract-in-expand':
    'Keep the old shape in this release; ship the change as a contract migration (`-- phase: contract`), which runs once no running or rollback version needs the old shape.',
  'add-column-rewrite':
    'Add the column nullable without a default, backfill it in batches, then add the default or NOT NULL (via a NOT VALID check constraint).',
  'vacuum-full': 'Use plain VACUUM, or pg_repack to rebuild the table online.',
  cluster: 'Leave ordering to an index, or use pg_repack to rebuild the table online.',
  'lock-table': "Drop the explicit lock; rely on the statements' own, shorter locks.",
  'refresh-materialized-view':
    'Use REFRESH MATERIALIZED VIEW CONCURRENTLY (needs a unique index on the view).',
} as const satisfies Record<string, string | null>;

export type FerryRule = keyof typeof ferryRules;

/**
 * squawk's rules (squawk-cli 2.61) and Ferry's severity for each. `error`: a rewrite, a
 * validating scan under a strong lock, a non-concurrent index build, or a statement that fails
 * when run. `warning`: style and robustness. A rule not listed is a warning.
 */
export const squawkSeverities: Readonly<Record<string, LintSeverity>> = {
  'adding-field-with-default': 'error',
  'adding-foreign-key-constraint': 'error',
  'adding-not-nullable-field': 'error',
  'adding-required-field': 'error',
  'adding-serial-primary-key-field': 'error',
  'ban-alter-domain-with-add-constraint': 'error',
  'ban-concurrent-index-creation-in-transaction': 'error',
  'ban-drop-database': 'error',
  'ban-duplicate-column-assignments': 'error',
  'changing-column-type': 'error',
  'constraint-missing-not-valid': 'error',
  'disallowed-unique-constraint': 'error',
  'prefer-repack': 'error',
  'require-concurrent-index-creation': 'error',
  'require-concurrent-reindex': 'error',
  'syntax-error': 'error',
  'ban-char-field': 'warning',
  'ban-create-domain-with-constraint': 'warning',
  'ban-drop-not-null': 'warning',
  'ban-truncate-cascade': 'warning',
  'ban-uncommitted-transaction': 'warning',
  'identifier-too-long': 'warning',
  'prefer-bigint-over-int': 'warning',
  'prefer-bigint-over-smallint': 'warning',
  'prefer-identity': 'warning',
  'prefer-robust-stmts': 'warning',
  'prefer-text-field': 'warning',
  'prefer-timestamptz': 'warning',
  'require-concurrent-index-deletion': 'warning',
  'require-enum-value-ordering': 'warning',
  'require-table-schema': 'warning',
  'transaction-nesting': 'warning',
};

/** Not findings at all: Ferry sets `lock_timeout` and `statement_timeout` itself. */
export const squawkTimeoutRules = [
  'require-lock-timeout',
  'require-statement-timeout',
  'require-timeout-settings',
] as const;

/**
 * squawk rules Ferry's phase classification replaces: dropping or renaming breaks the version
 * still serving, so it is `contract-in-expand` in an expand file and the very point of a
 * contract file.
 */
export const squawkRulesReplacedByPhase = [
  'ban-drop-column',
  'ban-drop-table',
  'renaming-column',
  'renaming-table',
] as const;

/** squawk rules Ferry reports under its own names when it sees the same statement. */
export const squawkRulesReplacedByFerry: Readonly<Record<string, readonly FerryRule[]>> = {
  'adding-field-with-default': ['add-column-rewrite'],
  'prefer-repack': ['vacuum-full', 'cluster'],
};

/** Ferry's severity of a squawk rule; null when it is not a finding for Ferry. */
export function squawkSeverity(rule: string): LintSeverity | null {
  if ((squawkTimeoutRules as readonly string[]).includes(rule)) return null;
  if ((squawkRulesReplacedByPhase as readonly string[]).includes(rule)) return null;
  return squawkSeverities[rule] ?? 'warning';
}

/** squawk's rules about a table's design, not its locks: they hold on a brand-new table too. */
export const squawkSchemaStyleRules: readonly string[] = [
  'ban-char-field',
  'prefer-bigint-over-int',
  'prefer-bigint-over-smallint',
  'prefer-identity',
  'prefer-text-field',
  'prefer-timestamptz',
];
