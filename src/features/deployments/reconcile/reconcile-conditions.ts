import { abort, abortable, clearConditions } from '../domain/transitions.js';
import type { ReconcileStep } from './reconcile-env.js';

/**
 * Acts on what callbacks recorded since the last reconcile (an instance failed to start,
 * crash-loops, failed its smoke checks): the first such condition aborts a rollout in progress.
 * Conditions of a deployment no longer in progress are dropped: there is nothing left to stop.
 */
export const reconcileConditions: ReconcileStep = async ({ deployment }, env) => {
  const first = deployment.conditions?.[0];
  if (!first) return false;
  if (!abortable(deployment)) {
    await env.writer.apply(deployment, clearConditions());
    return false;
  }
  const aborted = abort(deployment, first.cause, env.deps.clock.now(), 'controller');
  await env.transit(deployment, {
    patch: { ...aborted.patch, ...clearConditions().patch },
    events: aborted.events,
  });
  return true;
};

/** Analysis runs of an earlier attempt end; a rollout at rest runs none. */
export const reconcileAnalysisRuns: ReconcileStep = async ({ deployment }, env) => {
  await env.deps.analysis?.supersede(deployment);
  if (deployment.phase !== 'Progressing' && deployment.phase !== 'Paused') {
    await env.deps.analysis?.abandon(deployment.id);
  }
  return false;
};
