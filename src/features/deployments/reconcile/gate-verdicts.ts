import { formatDuration } from '../../../config/duration.js';
import { gatesOf } from '../domain/analysis-gates.js';
import type { Deployment } from '../domain/deployment.js';
import { abort, pause, resumeAfterTimeout } from '../domain/transitions.js';
import type { GateState } from '../rollout-analysis.js';
import type { ReconcileEnv } from './reconcile-env.js';

export type GateStates = ReadonlyMap<string, GateState>;

export function allPassed(states: GateStates): boolean {
  return [...states.values()].every((state) => state.state === 'passed');
}

/**
 * Opens the gates the rollout wants at its current point and reads where each stands. Like Argo
 * Rollouts' initial rollout, a first deployment runs no analysis: with nothing to go back to, a
 * verdict could only fail it, and it has no traffic of its own yet. A fast rollback returns to a
 * version that served recently: like Argo Rollouts' rollbackWindow, no analysis either.
 */
export async function checkGates(
  env: ReconcileEnv,
  latest: Deployment,
  previous: Deployment | undefined,
  progress: { readonly rolledOut: boolean; readonly previewReady: boolean },
): Promise<GateStates> {
  const analysis = env.deps.analysis;
  if (!analysis || previous === undefined || latest.fastRollback) return new Map();
  const gates = gatesOf({
    spec: latest.spec,
    version: latest.version,
    stableVersion: previous.version,
    state: latest.rollout,
    ...progress,
  });
  return analysis.check(latest, gates, () => env.steps.get(latest.id) ?? null);
}

/**
 * Acts on finished gates: a Failed or Error run aborts the rollout at once; an Inconclusive one
 * pauses it for a person, and after `inconclusive.timeout` takes `inconclusive.action`.
 * Returns whether the deployment's phase changed (the caller stops and reconciles again).
 */
export async function applyVerdicts(
  env: ReconcileEnv,
  latest: Deployment,
  states: GateStates,
): Promise<boolean> {
  const now = env.deps.clock.now();
  for (const [gate, state] of states) {
    if (state.state !== 'failed') continue;
    const cause = {
      kind: 'analysisFailed',
      gate,
      phase: state.phase,
      message: state.message,
    } as const;
    await env.transit(latest, abort(latest, cause, now, 'controller'));
    return true;
  }
  for (const [gate, state] of states) {
    if (state.state !== 'inconclusive') continue;
    if (latest.phase === 'Progressing') {
      const cause = { kind: 'analysisInconclusive', gate, message: state.message } as const;
      await env.transit(latest, pause(latest, cause, 'controller'));
      return true;
    }
    // A person's pause stays a person's: the timeout acts only on a pause analysis caused.
    const paused = latest.cause?.phase === 'Paused' ? latest.cause.pause : undefined;
    if (paused?.kind !== 'analysisInconclusive') return false;
    const { timeoutMs, action } = latest.spec.inconclusive;
    if (timeoutMs === null || now < state.since + timeoutMs) return false;
    if (action === 'abort') {
      const cause = { kind: 'inconclusiveTimeout', gate, timeoutMs } as const;
      await env.transit(latest, abort(latest, cause, now, 'controller'));
    } else {
      await env.deps.analysis!.override(latest, 'controller');
      await env.transit(latest, resumeAfterTimeout(latest, now));
      env.deps.logger.info(
        { deployment: latest.id },
        `analysis "${gate}" stayed Inconclusive for ${formatDuration(timeoutMs)}: promoted`,
      );
    }
    return true;
  }
  return false;
}
