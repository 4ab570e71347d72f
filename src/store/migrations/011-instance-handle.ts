import type { Kysely } from 'kysely';

/** The instance columns this migration reads, as 001 and 009 left them. */
interface OldInstances {
  instances: {
    id: string;
    pid: number | null;
    pgid: number | null;
    pid_start_ticks: number | null;
    log_path: string | null;
    handle: string | null;
    spec: string;
  };
}

/** The local runtime's process details, which move into the handle and out of the table. */
const localColumns = ['pid', 'pgid', 'pid_start_ticks', 'log_path'] as const;

/**
 * A runtime-neutral instance record: the local runtime's process ids and log path move from
 * columns of their own into `handle`, an opaque JSON value only the runtime reads, and stored
 * specs drop `artifactPath` (a spec names its artifact by digest; the runtime finds the bytes).
 * Instances running across the upgrade are adopted from their handle. Row-by-row JSON rewrites in
 * TypeScript, no dialect's JSON functions; in one transaction, which the migrator opens on
 * PostgreSQL only, so a crash halfway leaves SQLite as it was too.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.isTransaction) await carryForward(db);
  else await db.transaction().execute(carryForward);
}

async function carryForward(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('instances').addColumn('handle', 'text').execute();
  const typed = db as unknown as Kysely<OldInstances>;
  const rows = await typed
    .selectFrom('instances')
    .select(['id', 'pid', 'pgid', 'pid_start_ticks', 'log_path', 'spec'])
    .execute();
  for (const row of rows) {
    const { artifactPath: _path, ...spec } = JSON.parse(row.spec) as Record<string, unknown>;
    await typed
      .updateTable('instances')
      .set({ handle: handleOf(row), spec: JSON.stringify(spec) })
      .where('id', '=', row.id)
      .execute();
  }
  // One column per statement: SQLite drops no more at a time.
  for (const column of localColumns) {
    await db.schema.alterTable('instances').dropColumn(column).execute();
  }
}

/** The local runtime's handle (as `local-handle.ts` reads it); none until the row was recorded. */
function handleOf(
  row: Pick<OldInstances['instances'], (typeof localColumns)[number]>,
): string | null {
  const { pid, pgid, pid_start_ticks: pidStartTicks, log_path: logPath } = row;
  if (pid === null || pgid === null || pidStartTicks === null || logPath === null) return null;
  return JSON.stringify({ kind: 'local', pid, pgid, pidStartTicks, logPath });
}
