import type { AppliedMigration, MigrationFile } from './domain/migration-file.js';
import type {
  ApplyOptions,
  ApplyOutcome,
  BlockingQuery,
  MigrationDatabase,
  OpenMigrationDatabase,
} from './migration-database.js';

/** A failure the fake reports for one version, as PostgreSQL would make the runner report it. */
export interface ScriptedFailure {
  readonly code: 'lock_timeout' | 'statement_timeout' | 'sql_error';
  readonly reason: string;
  readonly blockedBy?: BlockingQuery;
  readonly stage?: 'rehearsal' | 'target';
}

/**
 * An in-memory `MigrationDatabase` for tests of its callers: one history shared by every
 * connection `open` gives (it outlives a Ferry restart, as a real database does), files applied
 * in order, failures scripted per version, and a `hold` that keeps the next file waiting so a test
 * can act while a migration runs.
 */
export class FakeMigrationDatabase {
  readonly history: AppliedMigration[] = [];
  /** Every URL opened, in order. */
  readonly opened: string[] = [];
  /** The options of every `apply`, in order. */
  readonly applies: ApplyOptions[] = [];
  readonly failures = new Map<string, ScriptedFailure>();
  private held: { promise: Promise<void>; release: () => void } | undefined;
  private waiting: (() => void) | undefined;
  private reachedHold: Promise<void> | undefined;

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** The `OpenMigrationDatabase` of this database. */
  readonly open: OpenMigrationDatabase = (url) => {
    this.opened.push(url);
    return this.connection();
  };

  /** Keeps the next file from applying until `release`; resolves once a file waits there. */
  hold(): { reached: Promise<void>; release: () => void } {
    let release = () => undefined as void;
    const promise = new Promise<void>((resolve) => (release = resolve));
    this.held = { promise, release };
    this.reachedHold = new Promise((resolve) => (this.waiting = resolve));
    return { reached: this.reachedHold, release };
  }

  private connection(): MigrationDatabase {
    return {
      history: () => Promise.resolve([...this.history]),
      apply: (files, options) => this.apply(files, options),
      close: () => Promise.resolve(),
    };
  }

  private async apply(
    files: readonly MigrationFile[],
    options: ApplyOptions,
  ): Promise<ApplyOutcome> {
    this.applies.push(options);
    const applied: AppliedMigration[] = [];
    const stages = options.rehearse ? (['rehearsal', 'target'] as const) : (['target'] as const);
    for (const stage of stages) {
      for (const file of files) {
        options.onProgress?.({ kind: 'started', stage, file });
        if (stage === 'target' && this.held) {
          const { promise } = this.held;
          this.held = undefined;
          this.waiting?.();
          await promise;
        }
        const failure = this.failures.get(file.version);
        if (failure && (failure.stage ?? 'target') === stage) {
          return {
            ok: false,
            applied,
            stage,
            file,
            reason: failure.reason,
            code: failure.code,
            blockedBy: failure.blockedBy ?? null,
            cleanedUp: [],
          };
        }
        if (stage === 'target') {
          const row: AppliedMigration = {
            version: file.version,
            description: file.description,
            phase: file.phase ?? 'expand',
            checksum: file.checksum,
            appliedAt: new Date(this.now()).toISOString(),
            deploymentId: options.deploymentId,
            durationMs: 0,
          };
          this.history.push(row);
          applied.push(row);
        }
        options.onProgress?.({ kind: 'finished', stage, file, durationMs: 0 });
      }
    }
    return { ok: true, applied };
  }
}
