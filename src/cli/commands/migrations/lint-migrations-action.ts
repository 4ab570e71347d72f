import { stat } from 'node:fs/promises';
import {
  hasLintErrors,
  type LintReport,
} from '../../../features/migrations/domain/lint-finding.js';
import { lintPaths } from '../../../features/migrations/lint/lint-paths.js';
import { squawkLintMigrations } from '../../../features/migrations/lint/squawk-lint-migrations.js';
import { writeJson, writeLine, type TextSink } from '../../cli-io.js';
import type { CommandContext } from '../../command-context.js';
import { exitCodes } from '../../exit-codes.js';
import { UsageError } from '../../usage-error.js';
import type { LintMigrationsInput } from './migrations-input.js';

/**
 * Lints the given folder or files. Findings go to stdout like a compiler's
 * (`db/V3__x.sql:4:1 error contract-in-expand: ...` and an indented `help:`), the count to
 * stderr; `--json` prints `{files: [{file, findings: [{rule, severity, line, column, message,
 * help, phase}]}]}`. Exits 1 when any finding is an error.
 */
export async function lintMigrationsAction(
  input: LintMigrationsInput,
  { io, json }: CommandContext,
): Promise<number> {
  for (const path of input.paths) {
    const found = await stat(path).catch(() => null);
    if (found === null) throw new UsageError(`${path}: no such file or folder`);
  }
  const report = await lintPaths(input.paths, squawkLintMigrations);
  if (json) writeJson(io.stdout, report);
  else printFindings(io.stdout, report);
  writeLine(io.stderr, summary(report));
  return hasLintErrors(report) ? exitCodes.failed : exitCodes.ok;
}

function printFindings(out: TextSink, report: LintReport) {
  for (const file of report.files) {
    for (const f of file.findings) {
      writeLine(out, `${file.file}:${f.line}:${f.column} ${f.severity} ${f.rule}: ${f.message}`);
      if (f.help !== null) writeLine(out, `  help: ${f.help}`);
    }
  }
}

function summary(report: LintReport): string {
  const findings = report.files.flatMap((file) => file.findings);
  const errors = findings.filter((f) => f.severity === 'error').length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (report.files.length === 0) return 'no migration files found';
  return `${plural(report.files.length, 'file')} linted: ${plural(errors, 'error')}, ${plural(findings.length - errors, 'warning')}`;
}
