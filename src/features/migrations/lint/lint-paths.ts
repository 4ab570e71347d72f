import { stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { LintedFile, LintReport } from '../domain/lint-finding.js';
import { ferryRules } from '../domain/lint-rules.js';
import { migrationPhases } from '../domain/migration-file.js';
import { parseMigrationFiles, type MigrationFileProblem } from '../domain/parse-migration-files.js';
import type { LintInput, LintMigrations } from '../lint-migrations.js';
import { readMigrationEntry } from '../read-migration-entries.js';
import { readMigrationFolder } from '../read-migration-folder.js';

/**
 * Lints what `ferry migrations lint` is given: a folder (read recursively as one set of
 * migrations, names checked as the runner will) or single files. Files are named by the path
 * given plus their path in the folder (in version order, then the
 * files that cannot be migrations), so an editor can jump to `db/migrations/V3__x.sql:4:1`.
 * A file that cannot be a migration (bad name, repeated version, unknown phase) is an error
 * `migration-name` at 1:1.
 */
export async function lintPaths(
  paths: readonly string[],
  lint: LintMigrations,
): Promise<LintReport> {
  const files: LintedFile[] = [];
  for (const path of paths) {
    const folder = (await stat(path)).isDirectory();
    // A folder that is itself `expand/` or `contract/` gives its files that phase, as it would
    // inside the migrations folder: its name stays part of each file's path.
    const own = basename(resolve(path));
    const phaseFolder = folder && (migrationPhases as readonly string[]).includes(own);
    const root = phaseFolder ? dirname(path) : path;
    const entries = folder
      ? (await readMigrationFolder(path)).map((entry) =>
          phaseFolder ? { ...entry, path: `${own}/${entry.path}` } : entry,
        )
      : [await readMigrationEntry(path, path.split(/[\\/]/).join('/'))];
    const shown = (entry: { path: string }) => (folder ? join(root, entry.path) : entry.path);
    const parsed = parseMigrationFiles(entries);
    const inputs: LintInput[] = parsed.files.map((file) => ({
      file: shown(file),
      sql: file.sql,
      phase: file.phase,
    }));
    const report = await lint(inputs);
    const problems = parsed.problems.map((problem) => nameProblem(problem, shown(problem)));
    files.push(...report.files, ...problems);
    if (!folder && !path.endsWith('.sql')) files.push(notSql(path));
  }
  return { files };
}

function nameProblem(problem: MigrationFileProblem, file: string): LintedFile {
  return {
    file,
    findings: [
      {
        rule: 'migration-name',
        severity: 'error',
        line: 1,
        column: 1,
        message: problem.message.replace(`${problem.path}: `, ''),
        help: ferryRules['migration-name'],
        phase: 'expand',
      },
    ],
  };
}

function notSql(file: string): LintedFile {
  return nameProblem({ path: file, message: 'not a .sql file' }, file);
}
