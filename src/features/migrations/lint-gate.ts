import type { Logger } from 'pino';
import type { FerryConfig } from '../../config/ferry-config.js';
import type { Artifact } from '../artifacts/artifact.js';
import type { GateReport } from '../gate-results/gate-result-service.js';
import type { GateResult } from '../gate-results/domain/gate-result.js';
import type { ArtifactMigrations } from './artifact-migrations.js';
import { hasLintErrors, type LintReport } from './domain/lint-finding.js';
import type { LintMigrations } from './lint-migrations.js';

/** The gate an environment names in `require: [migrations]`. */
export const migrationsGate = 'migrations';

/** Who lint results are reported as. */
export const migrationsLintReporter = 'ferry:migrations-lint';

/**
 * Lints the migration files of an artifact as it is pushed, for a service with a `database`, and
 * records the `migrations` gate: `failed` when a finding is an error, else `passed`, with the
 * counts as values (`errors`, `warnings`, `files`). A lint that cannot run (squawk missing) is
 * logged and records nothing, so `require: [migrations]` keeps the artifact out until it ran.
 */
export function lintGate(parts: {
  readonly config: () => FerryConfig;
  readonly filesOf: ArtifactMigrations;
  readonly lint: LintMigrations;
  readonly report: (report: GateReport) => Promise<GateResult>;
  readonly logger: Logger;
}): (artifact: Artifact) => Promise<GateResult | undefined> {
  return async (artifact) => {
    if (parts.config().services[artifact.service]?.database === undefined) return undefined;
    let report: LintReport;
    try {
      const files = await parts.filesOf(artifact.service, artifact.digest);
      report = await parts.lint(
        files.map((file) => ({ file: file.path, sql: file.sql, phase: file.phase })),
      );
    } catch (error) {
      parts.logger.warn(
        { err: error, service: artifact.service, version: artifact.version },
        'migrations lint could not run',
      );
      return undefined;
    }
    return parts.report({
      service: artifact.service,
      version: artifact.version,
      name: migrationsGate,
      status: hasLintErrors(report) ? 'failed' : 'passed',
      values: lintCounts(report),
      reporter: migrationsLintReporter,
    });
  };
}

/** `{ errors, warnings, files }` of a lint report: the gate's summary. */
export function lintCounts(report: LintReport): Record<'errors' | 'warnings' | 'files', number> {
  const findings = report.files.flatMap((file) => file.findings);
  return {
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
    files: report.files.length,
  };
}
