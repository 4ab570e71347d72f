import type { Deployment } from './deployment.js';

/** The default of `rollbackWindow.revisions`, as in Argo Rollouts' examples. */
export const defaultRollbackWindow = 3;

/** How a rollback goes: fast (within the window) or through the strategy. */
export interface RollbackPath {
  /** The target is one of the last `window` versions that were live before the current one. */
  readonly fast: boolean;
  readonly window: number;
  /**
   * 1-based place of the target among the versions that were live, newest first, the current one
   * left out (1 = the version live just before it); 0 for the current one itself; null when it
   * never went live.
   */
  readonly revision: number | null;
}

/**
 * Decides whether a rollback to `targetDigest` is fast: like Argo Rollouts'
 * `rollbackWindow.revisions`, a version among the last `window` distinct artifacts that succeeded
 * before the live one has served production recently, so it skips the steps and analysis. The
 * live version itself is the most recent of all: a rollback to it supersedes one that did not
 * finish going back to it.
 *
 * @example rollbackPath(history, live, v1.artifactDigest, 3) // { fast: true, window: 3, revision: 1 }
 */
export function rollbackPath(
  history: readonly Deployment[],
  live: Deployment | undefined,
  targetDigest: string,
  window: number,
): RollbackPath {
  if (live !== undefined && targetDigest === live.artifactDigest) {
    return { fast: window > 0, window, revision: 0 };
  }
  const wasLive: string[] = [];
  for (const d of history) {
    if (d.phase !== 'Succeeded' || d.artifactDigest === live?.artifactDigest) continue;
    if (!wasLive.includes(d.artifactDigest)) wasLive.push(d.artifactDigest);
  }
  const index = wasLive.indexOf(targetDigest);
  const revision = index < 0 ? null : index + 1;
  return { fast: revision !== null && revision <= window, window, revision };
}
