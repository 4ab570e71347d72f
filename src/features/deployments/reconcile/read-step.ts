import type { RolloutState } from '../domain/rollout-state.js';
import { stepGateName } from '../domain/step-kinds.js';
import { countUpTime, waitsOnTime } from '../domain/up-time.js';
import { allPassed, applyVerdicts, checkGates } from './gate-verdicts.js';
import type { ReconcileEnv } from './reconcile-env.js';
import type { RolloutContext } from './rollout-context.js';

/**
 * Where a two-version rollout stands before planning: its state with the time Ferry was up
 * counted, its gates opened and read, and a blocking step whose gate passed taken as done.
 * `changed` when a verdict changed the phase (the reconcile ends there).
 */
export async function readStep(
  env: ReconcileEnv,
  { deployment: latest, previous, instances, now }: RolloutContext,
  canaryDigest: string,
): Promise<{ readonly state: RolloutState; readonly analysisPending: boolean } | 'changed'> {
  let state = latest.rollout!;
  const strategy = latest.spec.strategy;
  // A timed pause counts only the time Ferry was up: a first look after a restart gives it back
  // the time the server was down.
  if (latest.phase !== 'Aborted' && waitsOnTime(strategy, state)) {
    state = countUpTime(state, now, !env.steps.has(latest.id));
  }
  env.steps.set(latest.id, state.stepIndex);
  if (latest.phase === 'Aborted') return { state, analysisPending: false };
  const previewReady =
    instances.filter(
      (p) => p.instance.artifactDigest === canaryDigest && p.planned.state === 'ready',
    ).length >= latest.spec.replicas;
  const states = await checkGates(env, latest, previous, { rolledOut: false, previewReady });
  if (await applyVerdicts(env, latest, states)) return 'changed';
  // A blocking step whose gate passed is done: the planner carries on from the next one.
  const step = strategy.kind === 'canary' ? strategy.canary.steps[state.stepIndex] : undefined;
  const gateName = stepGateName(step, state.stepIndex);
  const stepGate = gateName === undefined ? undefined : states.get(gateName);
  if (latest.phase === 'Progressing' && !state.full && stepGate?.state === 'passed') {
    state = { ...state, stepIndex: state.stepIndex + 1, stepStartedAt: now };
    env.steps.set(latest.id, state.stepIndex);
  }
  return { state, analysisPending: !allPassed(states) };
}
