import type { AppliedMigration, MigrationFile } from './migration-file.js';
import type { ChecksumMismatch, MigrationPlan } from './migration-plan.js';
import { compareVersions } from './parse-migration-files.js';

/**
 * What shipped files mean against a database's history, Flyway's `info` and `validate` in one:
 * each applied file whose bytes changed is a mismatch (both checksums kept), every other applied
 * file is applied, and a file not applied yet is pending in its phase, lowest version first. A
 * pending file without a phase is in `withoutPhase`, never pending. Applied versions no file has
 * any more are `unknownApplied`.
 *
 * @example planMigrations(files, await database.history()).pendingExpand.map((f) => f.path)
 */
export function planMigrations(
  files: readonly MigrationFile[],
  history: readonly AppliedMigration[],
): MigrationPlan {
  const applied = new Map(history.map((row) => [row.version, row]));
  const shipped = new Set(files.map((file) => file.version));
  const pendingExpand: MigrationFile[] = [];
  const pendingContract: MigrationFile[] = [];
  const withoutPhase: MigrationFile[] = [];
  const mismatches: ChecksumMismatch[] = [];
  for (const file of [...files].sort((a, b) => compareVersions(a.version, b.version))) {
    const row = applied.get(file.version);
    if (row !== undefined) {
      if (row.checksum !== file.checksum) {
        mismatches.push({
          version: file.version,
          path: file.path,
          applied: row.checksum,
          file: file.checksum,
        });
      }
    } else if (file.phase === 'expand') pendingExpand.push(file);
    else if (file.phase === 'contract') pendingContract.push(file);
    else withoutPhase.push(file);
  }
  return {
    applied: [...history],
    pendingExpand,
    pendingContract,
    mismatches,
    unknownApplied: history.filter((row) => !shipped.has(row.version)),
    withoutPhase,
  };
}
