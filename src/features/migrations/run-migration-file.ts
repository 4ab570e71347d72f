import type pg from 'pg';
import type { AppliedMigration, MigrationFile, MigrationPhase } from './domain/migration-file.js';
import { describeBlocker, watchBlocker } from './blocking-session.js';
import type { ApplyFailureCode, ApplyOptions, BlockingQuery } from './migration-database.js';
import { recordApplied } from './migration-history-table.js';
import { migrationStatements, type MigrationStatement } from './migration-statements.js';

/** The sessions and clocks one file runs with. */
export interface FileRunContext {
  /** Holds the runners' advisory lock; the file runs here. */
  readonly client: pg.ClientBase;
  /** A second connection to the same database, asking who blocks `client` while it waits. */
  readonly watcher: pg.ClientBase;
  /** `pg_backend_pid()` of `client`. */
  readonly pid: number;
  readonly serverVersionNum: number;
  readonly clock: () => Date;
  /** Waits between lock attempts; tests pass one that returns at once. */
  readonly sleep: (ms: number) => Promise<void>;
}

export type FileRunResult =
  | { readonly ok: true; readonly applied: AppliedMigration }
  | {
      readonly ok: false;
      readonly code: Exclude<ApplyFailureCode, 'checksum_mismatch' | 'rehearsal_failed'>;
      readonly reason: string;
      readonly blockedBy: BlockingQuery | null;
      readonly cleanedUp: readonly string[];
    };

type PhasedFile = MigrationFile & { readonly phase: MigrationPhase };

/** Backoff before lock attempt `n` (1-based retry): 0.5 s, 1 s, 2 s, ... at most 8 s. */
export function lockBackoffMs(retry: number): number {
  return Math.min(500 * 2 ** (retry - 1), 8000);
}

/**
 * Runs one migration file and records it in the history table. A file PostgreSQL lets run in a
 * transaction runs in one, with `SET LOCAL` timeouts and the history row, so a failure leaves
 * nothing. A file holding a statement that cannot (`CREATE INDEX CONCURRENTLY`) runs statement
 * by statement with session timeouts; when it fails, the indexes its concurrent builds left
 * (valid or INVALID) are dropped concurrently and listed in `cleanedUp`. A lock timeout (55P03)
 * is retried `lockRetries` times with backoff; the blocking session is named from what a watcher
 * connection saw while the statement waited.
 */
export async function runMigrationFile(
  context: FileRunContext,
  file: PhasedFile,
  options: ApplyOptions,
): Promise<FileRunResult> {
  const statements = await migrationStatements(file.sql, context.serverVersionNum);
  const started = context.clock();
  const outside = statements?.some((statement) => statement.nonTransactional !== null) ?? false;
  return outside
    ? runOutsideTransaction(context, file, statements!, options, started)
    : runInTransaction(context, file, statements, options, started);
}

interface StatementFailure {
  readonly error: PgError;
  readonly statement: MigrationStatement;
  readonly blockedBy: BlockingQuery | null;
}

async function runInTransaction(
  context: FileRunContext,
  file: PhasedFile,
  parsed: readonly MigrationStatement[] | null,
  options: ApplyOptions,
  started: Date,
): Promise<FileRunResult> {
  // A file the parser rejects goes to PostgreSQL whole, which reports where it fails.
  const statements = parsed ?? [
    { sql: file.sql, offset: 0, nonTransactional: null, indexedTable: null },
  ];
  const { client } = context;
  for (let attempt = 0; ; attempt++) {
    let current = statements[0]!;
    const watch = watchBlocker(context.watcher, context.pid);
    let failure: StatementFailure | undefined;
    try {
      await client.query('begin');
      await client.query(`set local lock_timeout = ${Math.round(options.lockTimeoutMs)}`);
      await client.query(`set local statement_timeout = ${Math.round(options.statementTimeoutMs)}`);
      for (const statement of statements) {
        current = statement;
        await client.query(statement.sql);
      }
      const applied = await recordApplied(
        client,
        file,
        context.clock(),
        options.deploymentId,
        elapsed(context, started),
      );
      await client.query('commit');
      await watch.stop();
      return { ok: true, applied };
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      const blockedBy = await watch.stop();
      if (!isPgError(error)) throw error;
      failure = { error, statement: current, blockedBy };
    }
    if (failure.error.code === '55P03' && attempt < options.lockRetries) {
      await context.sleep(lockBackoffMs(attempt + 1));
      continue;
    }
    return failed(file, failure, attempt + 1, options, []);
  }
}

async function runOutsideTransaction(
  context: FileRunContext,
  file: PhasedFile,
  statements: readonly MigrationStatement[],
  options: ApplyOptions,
  started: Date,
): Promise<FileRunResult> {
  const { client } = context;
  const built: string[] = [];
  await client.query(`set lock_timeout = ${Math.round(options.lockTimeoutMs)}`);
  await client.query(`set statement_timeout = ${Math.round(options.statementTimeoutMs)}`);
  try {
    // Statements that ran for good: a failure later in the file cannot take them back.
    let stay = 0;
    for (const statement of statements) {
      for (let attempt = 0; ; attempt++) {
        const table = statement.indexedTable;
        const before = table ? await indexesOn(client, table) : [];
        const watch = watchBlocker(context.watcher, context.pid);
        let error: PgError | undefined;
        try {
          await client.query(statement.sql);
        } catch (caught) {
          if (!isPgError(caught)) {
            await watch.stop();
            throw caught;
          }
          error = caught;
        }
        const blockedBy = await watch.stop();
        const left = table
          ? (await indexesOn(client, table)).filter((index) => !before.includes(index))
          : [];
        if (error === undefined) {
          built.push(...left);
          if (!table) stay++;
          break;
        }
        // A failed concurrent build leaves an INVALID index (under the name a retry needs).
        const cleanedUp = await dropIndexes(client, left);
        const failure = { error, statement, blockedBy };
        const stuck = cleanedUp.some((line) => line.startsWith('could not'));
        if (error.code === '55P03' && attempt < options.lockRetries && !stuck) {
          await context.sleep(lockBackoffMs(attempt + 1));
          continue;
        }
        cleanedUp.push(...(await dropIndexes(client, built)));
        return failed(file, failure, attempt + 1, options, cleanedUp, stay);
      }
    }
    const applied = await recordApplied(
      client,
      file,
      context.clock(),
      options.deploymentId,
      elapsed(context, started),
    );
    return { ok: true, applied };
  } finally {
    await client.query('reset lock_timeout').catch(() => undefined);
    await client.query('reset statement_timeout').catch(() => undefined);
  }
}

/** The indexes on `table` (as written in the migration), by their regclass names. */
async function indexesOn(client: pg.ClientBase, table: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    'select indexrelid::regclass::text as name from pg_index where indrelid = to_regclass($1)',
    [table],
  );
  return rows.map((row) => row.name);
}

/** Drops indexes a failed file built, concurrently (no lock on the table's writers). */
async function dropIndexes(client: pg.ClientBase, indexes: readonly string[]): Promise<string[]> {
  const done: string[] = [];
  for (const index of indexes) {
    const sql = `DROP INDEX CONCURRENTLY IF EXISTS ${index}`;
    try {
      await client.query(sql);
      done.push(sql);
    } catch (error) {
      done.push(`could not ${sql}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return done;
}

function failed(
  file: PhasedFile,
  failure: StatementFailure,
  attempts: number,
  options: ApplyOptions,
  cleanedUp: readonly string[],
  ranOutside = 0,
): FileRunResult & { ok: false } {
  const { error, statement, blockedBy } = failure;
  const where = location(file, statement, error);
  const stays =
    ranOutside > 0
      ? `; ${ranOutside} statement${ranOutside === 1 ? '' : 's'} before it ran outside a transaction and stay applied`
      : '';
  const leftover = cleanedUp.filter((line) => line.startsWith('could not'));
  const cleanup = leftover.length > 0 ? `; ${leftover.join('; ')}` : '';
  if (error.code === '55P03') {
    const blocker =
      blockedBy === null
        ? ' (PostgreSQL did not say who held the lock)'
        : `: ${describeBlocker(blockedBy)}`;
    return {
      ok: false,
      code: 'lock_timeout',
      reason: `${where}: lock timeout (${options.lockTimeoutMs} ms) after ${attempts} attempt${attempts === 1 ? '' : 's'}${blocker}${stays}${cleanup}`,
      blockedBy,
      cleanedUp,
    };
  }
  if (error.code === '57014') {
    return {
      ok: false,
      code: 'statement_timeout',
      reason: `${where}: statement timeout (${options.statementTimeoutMs} ms): ${error.message}${stays}${cleanup}`,
      blockedBy: null,
      cleanedUp,
    };
  }
  return {
    ok: false,
    code: 'sql_error',
    reason: `${where}: ${error.message}${stays}${cleanup}`,
    blockedBy: null,
    cleanedUp,
  };
}

/** `path:line:col` of the error in the file, from PostgreSQL's `position` in the statement. */
function location(file: MigrationFile, statement: MigrationStatement, error: PgError): string {
  const position = Number(error.position);
  const index =
    Number.isInteger(position) && position > 0
      ? statement.offset + position - 1
      : statement.offset + (statement.sql.length - statement.sql.trimStart().length);
  const before = file.sql.slice(0, index);
  const line = before.split('\n').length;
  const column = index - before.lastIndexOf('\n');
  return `${file.path}:${line}:${column}`;
}

function elapsed(context: FileRunContext, started: Date): number {
  return Math.max(0, context.clock().getTime() - started.getTime());
}

interface PgError extends Error {
  readonly code: string;
  readonly position?: string;
}

function isPgError(error: unknown): error is PgError {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}
