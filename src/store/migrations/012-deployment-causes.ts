import type { Kysely } from 'kysely';

/**
 * Deployments carry why they are paused or aborted as data (`cause`) and the instance failures
 * seen between reconciles (`conditions`). A deployment already Paused is given the cause its
 * reason's wording stood for before, so `resume` and `inconclusive.timeout` treat it as before.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('deployments').addColumn('cause', 'text').execute();
  await db.schema.alterTable('deployments').addColumn('conditions', 'text').execute();
  const typed = db as Kysely<{
    deployments: { id: string; phase: string; reason: string | null; cause: string | null };
  }>;
  const paused = await typed
    .selectFrom('deployments')
    .select(['id', 'reason'])
    .where('phase', '=', 'Paused')
    .execute();
  for (const row of paused) {
    await typed
      .updateTable('deployments')
      .set({ cause: JSON.stringify({ phase: 'Paused', pause: pauseOf(row.reason ?? '') }) })
      .where('id', '=', row.id)
      .execute();
  }
}

/** What the wording of a pause reason meant before causes were stored. */
export function pauseOf(reason: string): Record<string, unknown> {
  if (reason.startsWith('paused by ')) return { kind: 'person', actor: reason.slice(10) };
  const inconclusive = /^analysis "([^"]*)" is Inconclusive \((.*)\): run /.exec(reason);
  if (inconclusive) {
    return { kind: 'analysisInconclusive', gate: inconclusive[1], message: inconclusive[2] };
  }
  if (reason.startsWith('analysis '))
    return { kind: 'analysisInconclusive', gate: '', message: reason };
  const step = /^paused at step (\d+)\/(\d+)/.exec(reason);
  if (step)
    return { kind: 'openPauseStep', stepIndex: Number(step[1]) - 1, steps: Number(step[2]) };
  const before = /^paused before promotion \(step (\d+)\)/.exec(reason);
  if (before) return { kind: 'beforePromotion', stepIndex: Number(before[1]) - 1 };
  return { kind: 'previewReady' };
}
