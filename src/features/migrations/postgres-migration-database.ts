import pg from 'pg';
import type { AppliedMigration, MigrationFile, MigrationPhase } from './domain/migration-file.js';
import type {
  ApplyOptions,
  ApplyOutcome,
  ApplyStage,
  MigrationDatabase,
  OpenMigrationDatabase,
} from './migration-database.js';
import { ensureHistoryTable, migrationLockKey, readHistory } from './migration-history-table.js';
import { runMigrationFile, type FileRunContext } from './run-migration-file.js';
import {
  databaseName,
  defaultSchemaCloneTools,
  SchemaCloneError,
  withSchemaClone,
  type SchemaCloneTools,
} from './schema-clone.js';

/** What a PostgreSQL migration database needs besides its URL; all have working defaults. */
export interface PostgresMigrationDeps {
  /** pg_dump and psql for the rehearsal's schema-only clone (`/usr/bin/...`). */
  readonly tools?: SchemaCloneTools;
  readonly clock?: () => Date;
  /** Waits between lock attempts (backoff); tests pass one that returns at once. */
  readonly sleep?: (ms: number) => Promise<void>;
}

type PhasedFile = MigrationFile & { readonly phase: MigrationPhase };

/**
 * Opens migration databases on PostgreSQL with `pg`. Runners on the same database (two Ferry
 * servers) take one advisory lock for a whole run, so each file is applied once. Messages name
 * the database, never the URL: it holds the password.
 *
 * @example const open = postgresMigrationDatabases(); const db = open(process.env.DATABASE_URL!)
 */
export function postgresMigrationDatabases(
  deps: PostgresMigrationDeps = {},
): OpenMigrationDatabase {
  return (url) => new PostgresMigrationDatabase(url, deps);
}

class PostgresMigrationDatabase implements MigrationDatabase {
  readonly #url: string;
  readonly #pool: pg.Pool;
  readonly #tools: SchemaCloneTools;
  readonly #clock: () => Date;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(url: string, deps: PostgresMigrationDeps) {
    this.#url = url;
    this.#pool = newPool(url);
    this.#tools = deps.tools ?? defaultSchemaCloneTools;
    this.#clock = deps.clock ?? (() => new Date());
    this.#sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()));
  }

  async history(): Promise<readonly AppliedMigration[]> {
    const client = await connect(this.#pool, this.#url);
    try {
      await ensureHistoryTable(client);
      return await readHistory(client);
    } finally {
      client.release();
    }
  }

  async apply(files: readonly MigrationFile[], options: ApplyOptions): Promise<ApplyOutcome> {
    const client = await connect(this.#pool, this.#url);
    let broken = false;
    try {
      await takeRunnerLock(client);
      try {
        return await this.#applyLocked(client, files, options);
      } finally {
        await client.query('select pg_advisory_unlock($1)', [migrationLockKey]).catch(() => {
          broken = true;
        });
      }
    } finally {
      // A session whose unlock failed may still hold the lock: close it rather than reuse it.
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  async #applyLocked(
    client: pg.PoolClient,
    files: readonly MigrationFile[],
    options: ApplyOptions,
  ): Promise<ApplyOutcome> {
    await ensureHistoryTable(client);
    const history = new Map((await readHistory(client)).map((row) => [row.version, row]));
    for (const file of files) {
      const row = history.get(file.version);
      if (row !== undefined && row.checksum !== file.checksum) {
        return {
          ok: false,
          applied: [],
          stage: 'target',
          file,
          code: 'checksum_mismatch',
          reason:
            `${file.path}: version ${file.version} was applied to ${databaseName(this.#url)} with ` +
            `checksum ${row.checksum}, the file now has ${file.checksum}; restore the file as it ` +
            'was applied and ship the change as a new version',
          blockedBy: null,
          cleanedUp: [],
        };
      }
    }
    // A file without a phase is never applied: lint reports it, the plan lists it apart.
    const pending = files.filter(
      (file): file is PhasedFile => file.phase !== null && !history.has(file.version),
    );
    if (pending.length === 0) return { ok: true, applied: [] };
    if (options.rehearse) {
      const rehearsal = await this.#rehearse(client, pending, options);
      if (!rehearsal.ok) return { ...rehearsal, applied: [] };
    }
    return this.#runAll(client, this.#url, pending, options, 'target');
  }

  async #rehearse(
    admin: pg.PoolClient,
    pending: readonly PhasedFile[],
    options: ApplyOptions,
  ): Promise<ApplyOutcome> {
    try {
      return await withSchemaClone(
        this.#url,
        admin,
        this.#tools,
        options.lockTimeoutMs * (options.lockRetries + 1),
        async (scratchUrl) => {
          const scratch = new pg.Client({ connectionString: scratchUrl });
          await scratch.connect();
          try {
            return await this.#runAll(scratch, scratchUrl, pending, options, 'rehearsal');
          } finally {
            await scratch.end();
          }
        },
      );
    } catch (error) {
      if (!(error instanceof SchemaCloneError)) throw error;
      return {
        ok: false,
        applied: [],
        stage: 'rehearsal',
        file: pending[0]!,
        code: error.lockTimeout ? 'lock_timeout' : 'rehearsal_failed',
        reason: `rehearsal on a schema-only clone of ${databaseName(this.#url)} not possible, nothing was applied: ${error.message}`,
        blockedBy: error.blockedBy,
        cleanedUp: [],
      };
    }
  }

  /** Runs `files` in order on `client`, each told to onProgress, until one fails. */
  async #runAll(
    client: pg.ClientBase,
    url: string,
    files: readonly PhasedFile[],
    options: ApplyOptions,
    stage: ApplyStage,
  ): Promise<ApplyOutcome> {
    const watcher = new pg.Client({ connectionString: url });
    await watcher.connect();
    try {
      const { rows } = await client.query<{ pid: number; version: string }>(
        "select pg_backend_pid() as pid, current_setting('server_version_num') as version",
      );
      const context: FileRunContext = {
        client,
        watcher,
        pid: rows[0]!.pid,
        serverVersionNum: Number(rows[0]!.version),
        clock: this.#clock,
        sleep: this.#sleep,
      };
      const applied: AppliedMigration[] = [];
      for (const file of files) {
        options.onProgress?.({ kind: 'started', stage, file });
        const result = await runMigrationFile(context, file, options);
        if (!result.ok) {
          const where =
            stage === 'rehearsal'
              ? ' (in the rehearsal on a schema-only clone; the target was not touched)'
              : '';
          return {
            ok: false,
            applied,
            stage,
            file,
            code: result.code,
            reason: `${result.reason}${where}`,
            blockedBy: result.blockedBy,
            cleanedUp: result.cleanedUp,
          };
        }
        applied.push(result.applied);
        options.onProgress?.({
          kind: 'finished',
          stage,
          file,
          durationMs: result.applied.durationMs,
        });
      }
      return { ok: true, applied };
    } finally {
      await watcher.end().catch(() => undefined);
    }
  }
}

/**
 * Takes the runners' advisory lock, asking again every 100 ms while another runner has it. Not
 * `pg_advisory_lock()`: a session waiting inside a statement counts as a running transaction, and
 * the other runner's `CREATE INDEX CONCURRENTLY` would wait for it forever (a deadlock).
 */
async function takeRunnerLock(client: pg.ClientBase): Promise<void> {
  for (;;) {
    const { rows } = await client.query<{ locked: boolean }>(
      'select pg_try_advisory_lock($1) as locked',
      [migrationLockKey],
    );
    if (rows[0]!.locked) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function newPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  return pool;
}

async function connect(pool: pg.Pool, url: string): Promise<pg.PoolClient> {
  try {
    return await pool.connect();
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).replaceAll(
      /:\/\/([^:@/\s]+):[^@/\s]*@/g,
      '://$1@',
    );
    throw new Error(`cannot connect to the migration database ${databaseName(url)}: ${message}`, {
      cause: error,
    });
  }
}
