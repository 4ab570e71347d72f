import type { AnalysisRun } from '../analysis/analysis-run.js';
import type { AnalysisRunStore } from '../analysis/analysis-run-store.js';
import { iso } from './run-lifecycle.js';

/** How a stored run of a gate stands when a check finds it, after a restart or not. */
export type ResumedRun =
  | { readonly state: 'running' }
  | { readonly state: 'finished'; readonly run: AnalysisRun }
  /** Left unfinished by an earlier process: now closed as interrupted; start the gate again. */
  | { readonly state: 'interrupted' };

/**
 * Picks up a gate's latest stored run: a finished run keeps its verdict (a restart neither loses a
 * failure nor repeats a pass); an unfinished one started here is read again (it may have ended
 * since it was listed); an unfinished one of an earlier process, which stopped before a verdict,
 * is closed as interrupted so it never reads Running forever, and the gate starts again.
 */
export async function resumeRun(
  store: AnalysisRunStore,
  stored: AnalysisRun,
  startedHere: boolean,
  now: number,
): Promise<ResumedRun> {
  let run = stored;
  if (run.finishedAt === null && startedHere) {
    run = (await store.getRun(run.id)) ?? run;
    if (run.finishedAt === null) return { state: 'running' };
  }
  if (run.finishedAt !== null) return { state: 'finished', run };
  const message = 'interrupted: Ferry stopped before a verdict; the run was started again';
  await store.finishRun(run.id, run.phase, message, iso(now));
  return { state: 'interrupted' };
}
