import { createHash } from 'node:crypto';
import type { Clock } from '../../shared/clock.js';
import type { AppliedMigration, MigrationFile, MigrationPhase } from './domain/migration-file.js';
import { compareVersions } from './domain/parse-migration-files.js';
import type { ApplyOptions, ApplyOutcome, MigrationDatabase } from './migration-database.js';
import type { OpenServiceDatabase } from './open-service-database.js';

/** A migration file as an artifact ships it: `V3__drop_name.sql` with its phase header. */
export function migrationFile(
  version: string,
  description: string,
  phase: MigrationPhase,
  sql = `-- phase: ${phase}\nSELECT ${version};\n`,
): MigrationFile {
  return {
    version,
    description: description.replaceAll('_', ' '),
    phase,
    path: `V${version.replaceAll('.', '_')}__${description}.sql`,
    sql,
    checksum: `sha256:${createHash('sha256').update(sql).digest('hex')}`,
  };
}

/** How a fake run of one file ends. */
export type FakeFailure = Extract<ApplyOutcome, { ok: false }>['code'];

/**
 * In-memory migration databases, one per service/environment: a history table, applied files,
 * scripted failures, and a switch that makes the database unreachable. Every handle opened is
 * counted and must be closed.
 */
export class FakeMigrationDatabases {
  readonly histories = new Map<string, AppliedMigration[]>();
  /** Versions whose next run fails, with how. */
  readonly failures = new Map<string, FakeFailure>();
  readonly runs: { key: string; files: string[]; options: ApplyOptions }[] = [];
  unreachable: string | undefined;
  open = 0;

  constructor(private readonly clock: Clock) {}

  readonly openDatabase: OpenServiceDatabase = (target) => {
    if (this.unreachable !== undefined) throw new Error(this.unreachable);
    const key = `${target.service}/${target.environment}`;
    this.open += 1;
    return this.database(key);
  };

  historyOf(service: string, environment: string): AppliedMigration[] {
    const key = `${service}/${environment}`;
    const rows = this.histories.get(key) ?? [];
    this.histories.set(key, rows);
    return rows;
  }

  /** Records `files` as applied now, as an expand run by a deployment would. */
  applied(service: string, environment: string, files: readonly MigrationFile[]): void {
    for (const file of files) this.historyOf(service, environment).push(this.row(file, 'dep-x'));
  }

  private database(key: string): MigrationDatabase {
    const [service, environment] = key.split('/') as [string, string];
    return {
      history: async () => [...this.historyOf(service, environment)],
      apply: async (files, options) => {
        this.runs.push({ key, files: files.map((f) => f.path), options });
        const done: AppliedMigration[] = [];
        for (const file of [...files].sort((a, b) => compareVersions(a.version, b.version))) {
          const failure = this.failures.get(file.version);
          if (failure) {
            this.failures.delete(file.version);
            return {
              ok: false,
              applied: done,
              stage: 'target',
              file,
              reason: `${file.path}: ${failure.replace('_', ' ')} after ${options.lockRetries + 1} attempts on table accounts`,
              code: failure,
              blockedBy:
                failure === 'lock_timeout'
                  ? { pid: 4242, query: 'LOCK TABLE accounts', lock: 'AccessExclusiveLock' }
                  : null,
              cleanedUp: [],
            };
          }
          options.onProgress?.({ kind: 'started', stage: 'target', file });
          const row = this.row(file, options.deploymentId);
          this.historyOf(service, environment).push(row);
          done.push(row);
          options.onProgress?.({ kind: 'finished', stage: 'target', file, durationMs: 12 });
        }
        return { ok: true, applied: done };
      },
      close: async () => {
        this.open -= 1;
      },
    };
  }

  private row(file: MigrationFile, deploymentId: string | null): AppliedMigration {
    return {
      version: file.version,
      description: file.description,
      phase: file.phase ?? 'expand',
      checksum: file.checksum,
      appliedAt: new Date(this.clock.now()).toISOString(),
      deploymentId,
      durationMs: 12,
    };
  }
}
