import type pg from 'pg';
import type { AppliedMigration, MigrationFile, MigrationPhase } from './domain/migration-file.js';
import { compareVersions } from './domain/parse-migration-files.js';

/** Ferry's history table in a service's database, beside the service's own tables. */
export const historyTable = 'ferry_schema_history';

/**
 * The key of the advisory lock every Ferry runner on a database takes before it reads the history
 * and applies anything, so two Ferry servers never apply the same migration twice.
 */
export const migrationLockKey = 7_346_270_213_141_593;

interface HistoryRow {
  version: string;
  description: string;
  phase: MigrationPhase;
  checksum: string;
  applied_at: Date;
  deployment_id: string | null;
  duration_ms: number;
}

/**
 * Creates the history table if absent. Two runners creating it at once collide on the catalog
 * (duplicate key or table), and the loser finds it made. No lock is taken here: a session waiting
 * for one inside a transaction would deadlock with a runner's `CREATE INDEX CONCURRENTLY`.
 */
export async function ensureHistoryTable(client: pg.ClientBase): Promise<void> {
  try {
    await client.query(`
      create table if not exists ${historyTable} (
        version text primary key,
        description text not null,
        phase text not null check (phase in ('expand', 'contract')),
        checksum text not null,
        applied_at timestamptz not null,
        deployment_id text,
        duration_ms integer not null
      )`);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== '23505' && code !== '42P07') throw error;
  }
}

/** The applied migrations, oldest first (by time applied, then version). */
export async function readHistory(client: pg.ClientBase): Promise<AppliedMigration[]> {
  const { rows } = await client.query<HistoryRow>(
    `select version, description, phase, checksum, applied_at, deployment_id, duration_ms
     from ${historyTable}`,
  );
  return rows
    .map((row) => ({
      version: row.version,
      description: row.description,
      phase: row.phase,
      checksum: row.checksum,
      appliedAt: row.applied_at.toISOString(),
      deploymentId: row.deployment_id,
      durationMs: row.duration_ms,
    }))
    .sort(
      (a, b) => a.appliedAt.localeCompare(b.appliedAt) || compareVersions(a.version, b.version),
    );
}

/** Records one applied file; inside the file's transaction when it has one. */
export async function recordApplied(
  client: pg.ClientBase,
  file: MigrationFile & { readonly phase: MigrationPhase },
  appliedAt: Date,
  deploymentId: string | null,
  durationMs: number,
): Promise<AppliedMigration> {
  await client.query(
    `insert into ${historyTable}
       (version, description, phase, checksum, applied_at, deployment_id, duration_ms)
     values ($1, $2, $3, $4, $5, $6, $7)`,
    [
      file.version,
      file.description,
      file.phase,
      file.checksum,
      appliedAt,
      deploymentId,
      durationMs,
    ],
  );
  return {
    version: file.version,
    description: file.description,
    phase: file.phase,
    checksum: file.checksum,
    appliedAt: appliedAt.toISOString(),
    deploymentId,
    durationMs,
  };
}
