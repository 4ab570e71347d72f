import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, constants } from 'node:fs/promises';
import type pg from 'pg';
import { describeBlocker, watchBlocker } from './blocking-session.js';
import type { BlockingQuery } from './migration-database.js';

/** Where the PostgreSQL client tools are; injectable so a test can name a missing one. */
export interface SchemaCloneTools {
  readonly pgDumpPath: string;
  readonly psqlPath: string;
  /** The scratch database's name; unique by default (`ferry_rehearsal_<12 hex>`). */
  readonly scratchName?: () => string;
}

export const defaultSchemaCloneTools: SchemaCloneTools = {
  pgDumpPath: '/usr/bin/pg_dump',
  psqlPath: '/usr/bin/psql',
};

/**
 * Why a rehearsal could not be set up (pg_dump missing, no CREATEDB right, ...). `blockedBy` is
 * set when pg_dump could not take its lock on a table in time, and names who held it.
 */
export class SchemaCloneError extends Error {
  override readonly name = 'SchemaCloneError';
  readonly lockTimeout: boolean;
  readonly blockedBy: BlockingQuery | null;

  constructor(
    message: string,
    options: { cause?: unknown; lockTimeout?: boolean; blockedBy?: BlockingQuery | null } = {},
  ) {
    super(message, { cause: options.cause });
    this.lockTimeout = options.lockTimeout ?? false;
    this.blockedBy = options.blockedBy ?? null;
  }
}

/**
 * Makes a scratch database on the target's server holding the target's schema and no data
 * (`pg_dump --schema-only` piped into `psql`), runs `run` against it, and drops it afterwards,
 * whatever happened. The connection settings reach the tools through libpq's environment
 * (`PGPASSWORD`, ...), never their command line, where `ps` would show the password.
 *
 * @param admin a connection to the target, outside any transaction, used to create and drop.
 */
export async function withSchemaClone<T>(
  targetUrl: string,
  admin: pg.ClientBase,
  tools: SchemaCloneTools,
  lockWaitTimeoutMs: number,
  run: (scratchUrl: string) => Promise<T>,
): Promise<T> {
  const scratch = (
    tools.scratchName ?? (() => `ferry_rehearsal_${randomBytes(6).toString('hex')}`)
  )();
  const target = databaseName(targetUrl);
  await checkTool(tools.pgDumpPath, 'pg_dump');
  await checkTool(tools.psqlPath, 'psql');
  try {
    await admin.query(`create database ${quoteIdent(scratch)} template template0`);
  } catch (error) {
    throw new SchemaCloneError(
      `cannot create the scratch database ${scratch} beside ${target} (${errorMessage(error)}): ` +
        'grant the user CREATEDB, or run without rehearsal',
      { cause: error },
    );
  }
  try {
    await copySchema(targetUrl, admin, scratch, tools, lockWaitTimeoutMs);
    const scratchUrl = new URL(targetUrl);
    scratchUrl.pathname = `/${encodeURIComponent(scratch)}`;
    return await run(scratchUrl.toString());
  } finally {
    await admin.query(`drop database if exists ${quoteIdent(scratch)} with (force)`);
  }
}

async function checkTool(path: string, name: string): Promise<void> {
  try {
    await access(path, constants.X_OK);
  } catch {
    throw new SchemaCloneError(
      `${name} not found at ${path}: install the PostgreSQL client tools ` +
        '(apt-get install postgresql-client, the same major version as the server), or run without rehearsal',
    );
  }
}

async function copySchema(
  targetUrl: string,
  admin: pg.ClientBase,
  scratch: string,
  tools: SchemaCloneTools,
  lockWaitTimeoutMs: number,
): Promise<void> {
  const env = libpqEnvironment(targetUrl);
  // Named, so that `admin` can ask who blocks it while it waits for a table's lock.
  const applicationName = `ferry-dump-${scratch}`;
  const dump = spawn(
    tools.pgDumpPath,
    [
      '--schema-only',
      '--no-owner',
      '--no-privileges',
      '--no-comments',
      '--no-publications',
      '--no-subscriptions',
      `--lock-wait-timeout=${lockWaitTimeoutMs}`,
    ],
    {
      env: { ...process.env, ...env, PGAPPNAME: applicationName },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const load = spawn(tools.psqlPath, ['-X', '-q', '-v', 'ON_ERROR_STOP=1'], {
    env: { ...process.env, ...env, PGDATABASE: scratch },
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  dump.stdout.pipe(load.stdin);
  // psql ending early (a failure) must not crash the process with EPIPE.
  load.stdin.on('error', () => undefined);
  const watch = watchBlocker(admin, { applicationName });
  const [dumped, loaded] = await Promise.all([finished(dump), finished(load)]);
  const blockedBy = await watch.stop();
  const target = databaseName(targetUrl);
  if (dumped.missing) {
    throw new SchemaCloneError(
      `pg_dump not found at ${tools.pgDumpPath}: install the PostgreSQL client tools ` +
        '(apt-get install postgresql-client, the same major version as the server), or run without rehearsal',
    );
  }
  const lockWait = /Query was: LOCK TABLE (\S+)/.exec(dumped.stderr);
  if (dumped.code !== 0 && lockWait !== null && /timeout/.test(dumped.stderr)) {
    const blocker = blockedBy === null ? '' : `: ${describeBlocker(blockedBy)}`;
    throw new SchemaCloneError(
      `pg_dump could not lock ${lockWait[1]} within ${lockWaitTimeoutMs} ms to read ${target}'s schema${blocker}`,
      { lockTimeout: true, blockedBy },
    );
  }
  if (dumped.code !== 0) {
    throw new SchemaCloneError(`pg_dump of ${target}'s schema failed: ${dumped.stderr}`);
  }
  if (loaded.missing) {
    throw new SchemaCloneError(
      `psql not found at ${tools.psqlPath}: install the PostgreSQL client tools ` +
        '(apt-get install postgresql-client), or run without rehearsal',
    );
  }
  if (loaded.code !== 0) {
    throw new SchemaCloneError(
      `loading ${target}'s schema into ${scratch} failed: ${loaded.stderr}`,
    );
  }
}

interface Finished {
  readonly code: number | null;
  readonly missing: boolean;
  readonly stderr: string;
}

function finished(child: ReturnType<typeof spawn>): Promise<Finished> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return new Promise((resolve) => {
    child.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ code: null, missing: error.code === 'ENOENT', stderr: error.message }),
    );
    child.on('close', (code) => resolve({ code, missing: false, stderr: firstLines(stderr) }));
  });
}

/** libpq's environment for a `postgres://` URL, so no secret goes on a command line. */
export function libpqEnvironment(url: string): Record<string, string> {
  const parsed = new URL(url);
  const env: Record<string, string> = {};
  const host = parsed.searchParams.get('host') ?? decodeURIComponent(parsed.hostname);
  if (host !== '') env['PGHOST'] = host.replace(/^\[(.*)\]$/, '$1');
  if (parsed.port !== '') env['PGPORT'] = parsed.port;
  if (parsed.username !== '') env['PGUSER'] = decodeURIComponent(parsed.username);
  if (parsed.password !== '') env['PGPASSWORD'] = decodeURIComponent(parsed.password);
  env['PGDATABASE'] = databaseName(url);
  const sslmode = parsed.searchParams.get('sslmode');
  if (sslmode !== null) env['PGSSLMODE'] = sslmode;
  return env;
}

/** The database a URL names, as messages may show it (never the URL: it holds the password). */
export function databaseName(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.slice(1)) || 'postgres';
  } catch {
    return 'the database';
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function firstLines(text: string): string {
  return text
    .replaceAll(/:\/\/([^:@/\s]+):[^@/\s]*@/g, '://$1@')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(0, 3)
    .join(' / ');
}
