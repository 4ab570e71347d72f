import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrationProvider } from '../migrate.js';

let db: Kysely<{ deployments: Record<string, string | number | null> }> | undefined;
afterEach(async () => {
  await db?.destroy();
  db = undefined;
});

describe('migration 012-deployment-causes', () => {
  it("gives a deployment already Paused the cause its reason's wording stood for", async () => {
    db = new Kysely({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
    const migrator = new Migrator({ db, provider: migrationProvider });
    expect((await migrator.migrateTo('009-runtime-neutral')).error).toBeUndefined();
    const at = new Date(0).toISOString();
    const row = (id: string, phase: string, reason: string | null) => ({
      id,
      service: 'web',
      environment: id,
      kind: 'deploy',
      artifact_digest: 'sha256:aa',
      version: '1.0.0',
      phase,
      reason,
      previous_id: null,
      spec: '{}',
      actor: 'test',
      created_at: at,
      updated_at: at,
      last_progress_at: at,
      finished_at: null,
    });
    await db
      .insertInto('deployments')
      .values([
        row('a', 'Paused', 'paused by user:ana'),
        row(
          'b',
          'Paused',
          'analysis "step-2" is Inconclusive (too few samples): run "ferry rollout promote" to go on',
        ),
        row('c', 'Paused', 'paused at step 2/4: run "ferry rollout promote" to go on'),
        row('d', 'Paused', 'preview ready: run "ferry rollout promote" to switch traffic'),
        row('e', 'Aborted', 'aborted by user:ana'),
      ])
      .execute();
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    const rows = await db
      .selectFrom('deployments')
      .select(['id', 'cause', 'conditions'])
      .orderBy('id')
      .execute();
    expect(rows.map((r) => [r.id, r.cause && JSON.parse(String(r.cause)), r.conditions])).toEqual([
      ['a', { phase: 'Paused', pause: { kind: 'person', actor: 'user:ana' } }, null],
      [
        'b',
        {
          phase: 'Paused',
          pause: { kind: 'analysisInconclusive', gate: 'step-2', message: 'too few samples' },
        },
        null,
      ],
      ['c', { phase: 'Paused', pause: { kind: 'openPauseStep', stepIndex: 1, steps: 4 } }, null],
      ['d', { phase: 'Paused', pause: { kind: 'previewReady' } }, null],
      ['e', null, null],
    ]);
  });
});
