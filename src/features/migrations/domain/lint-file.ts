import type { RawStmt } from 'libpg-query';
import { classifyStatement, type StatementFacts } from './classify-statement.js';
import type { LintFinding } from './lint-finding.js';
import {
  ferryRules,
  squawkRulesReplacedByFerry,
  squawkSchemaStyleRules,
  squawkSeverity,
} from './lint-rules.js';
import type { MigrationPhase } from './migration-file.js';
import { SourceText } from './source-text.js';

/** PostgreSQL's parse of a file: its statements, or where it stopped. */
export type ParsedSql =
  | { readonly ok: true; readonly statements: readonly RawStmt[] }
  | { readonly ok: false; readonly message: string; readonly characterOffset: number };

/** One finding as squawk's `--reporter json` gives it: 0-based line, 0-based byte column. */
export interface SquawkViolation {
  readonly rule: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly help: string | null;
}

export interface LintFileInput {
  readonly sql: string;
  /** As declared; null when the file declares none (`missing-phase`). */
  readonly phase: MigrationPhase | null;
  readonly parsed: ParsedSql;
  /** squawk's findings on the same text (ignored when PostgreSQL cannot parse it). */
  readonly squawk: readonly SquawkViolation[];
}

interface Statement {
  readonly start: number;
  readonly end: number;
  readonly facts: StatementFacts;
  /** Acts only on tables created earlier in the file: nobody else can be waiting on them. */
  readonly onNewTable: boolean;
  readonly phase: MigrationPhase;
}

/**
 * The findings of one migration file, in file order: Ferry's classification of each statement
 * (contract statements, hidden rewrites), squawk's findings placed in their statement and given
 * Ferry's severity, and the file-level `missing-phase`. Findings on a table created earlier in
 * the same file are dropped (except schema-style ones): an index or constraint on it blocks no
 * one, though squawk says otherwise.
 */
export function lintFile(input: LintFileInput): LintFinding[] {
  const text = new SourceText(input.sql);
  const findings: LintFinding[] = [];
  const at = (byteOffset: number) => text.positionAt(byteOffset);
  if (!input.parsed.ok) {
    findings.push({
      rule: 'syntax-error',
      severity: 'error',
      ...at(text.offsetOfCharacter(input.parsed.characterOffset)),
      message: `PostgreSQL cannot parse this: ${input.parsed.message}`,
      help: ferryRules['syntax-error'],
      phase: input.phase ?? 'expand',
    });
    if (input.phase === null) findings.push(missingPhase('expand'));
    return sortFindings(findings);
  }
  const statements = placeStatements(text, input.parsed.statements);
  for (const statement of statements) {
    if (input.phase === 'expand' && statement.phase === 'contract') {
      findings.push({
        rule: 'contract-in-expand',
        severity: 'error',
        ...at(statement.start),
        message: `${statement.facts.contract.join(', ')} breaks the version still serving; it cannot be in an expand migration`,
        help: ferryRules['contract-in-expand'],
        phase: 'contract',
      });
    }
    if (statement.onNewTable) continue;
    for (const hazard of statement.facts.hazards) {
      findings.push({
        rule: hazard.rule,
        severity: 'error',
        ...at(statement.start),
        message: hazard.message,
        help: ferryRules[hazard.rule],
        phase: statement.phase,
      });
    }
  }
  for (const violation of input.squawk) {
    const severity = squawkSeverity(violation.rule);
    if (severity === null) continue;
    const offset = text.offsetOfLineColumn(violation.line, violation.column);
    const statement = statementAt(statements, offset);
    if (statement?.onNewTable && !squawkSchemaStyleRules.includes(violation.rule)) continue;
    const replacement = squawkRulesReplacedByFerry[violation.rule];
    if (replacement && statement?.facts.hazards.some((h) => replacement.includes(h.rule))) continue;
    findings.push({
      rule: violation.rule,
      severity,
      ...at(offset),
      message: violation.message,
      help: violation.help,
      phase: statement?.phase ?? 'expand',
    });
  }
  if (input.phase === null) {
    findings.push(
      missingPhase(statements.some((s) => s.phase === 'contract') ? 'contract' : 'expand'),
    );
  }
  return sortFindings(findings);
}

/**
 * Whether the runner may wrap the file in a transaction: not when a statement refuses one
 * (`CREATE INDEX CONCURRENTLY`, `VACUUM`). squawk is told the same (`--assume-in-transaction`).
 */
export function runsInTransaction(statements: readonly RawStmt[]): boolean {
  return !statements.some((raw) => classifyStatement(raw).nonTransactional);
}

function placeStatements(text: SourceText, raws: readonly RawStmt[]): Statement[] {
  const created = new Set<string>();
  return raws.map((raw) => {
    const location = raw.stmt_location ?? 0;
    const end = raw.stmt_len ? location + raw.stmt_len : text.byteLength;
    const facts = classifyStatement(raw);
    const onNewTable = facts.tables.length > 0 && facts.tables.every((t) => created.has(t));
    for (const table of facts.creates) created.add(table);
    return {
      start: text.skipTrivia(location, end),
      end,
      facts,
      onNewTable,
      phase: facts.contract.length > 0 && !onNewTable ? 'contract' : 'expand',
    };
  });
}

function statementAt(statements: readonly Statement[], offset: number): Statement | undefined {
  return statements.find((s) => offset < s.end) ?? statements.at(-1);
}

function missingPhase(needed: MigrationPhase): LintFinding {
  return {
    rule: 'missing-phase',
    severity: 'error',
    line: 1,
    column: 1,
    message: `the file declares no phase; its statements need ${needed}`,
    help: ferryRules['missing-phase'],
    phase: needed,
  };
}

function sortFindings(findings: LintFinding[]): LintFinding[] {
  return findings.sort(
    (a, b) => a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule),
  );
}
