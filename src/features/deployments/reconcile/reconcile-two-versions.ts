import { planBlueGreen } from '../domain/blue-green-plan.js';
import { planCanary } from '../domain/canary-plan.js';
import { twoVersionPhases, type Deployment } from '../domain/deployment.js';
import { planFastRollback } from '../domain/fast-rollback-plan.js';
import type { RolloutInput, RolloutPlan } from '../domain/rollout-plan.js';
import { isBaselineInstance } from '../domain/rollout-steps.js';
import { rolloutTarget, type RolloutTarget } from '../domain/rollout-target.js';
import { stepWaitsOnTime } from '../domain/step-kinds.js';
import { abort, advance, pause } from '../domain/transitions.js';
import { deadlineCause, pastDeadline } from './progress-deadline.js';
import type { ReconcileEnv, ReconcileStep } from './reconcile-env.js';
import { readStep } from './read-step.js';
import type { Planned, RolloutContext } from './rollout-context.js';
import { failOnRouteDown } from './route-down.js';
import { succeed } from './succeed.js';

/** A canary or blue-green: the previous version and the new one side by side. */
export const reconcileTwoVersions: ReconcileStep = async (context, env) => {
  const { deployment: latest, previous } = context;
  if (!latest.rollout || !previous || !twoVersionPhases.includes(latest.phase)) return false;
  const targets = {
    stable: rolloutTarget(previous, undefined)!,
    canary: rolloutTarget({ ...latest, phase: 'Progressing' }, undefined)!,
  };
  const step = await readStep(env, context, targets.canary.artifactDigest);
  if (step === 'changed') return true;
  const input = inputOf(context, targets, step);
  const plan = planOf(latest, input);
  if (!plan) return true;
  if (await carryOut(env, context, targets, plan)) return true;
  await conclude(env, latest, input, plan);
  return true;
};

type Targets = { readonly stable: RolloutTarget; readonly canary: RolloutTarget };

/** The instances sorted by role; baseline instances run the stable artifact for this deployment. */
function inputOf(
  { deployment: latest, instances: planned, now }: RolloutContext,
  targets: Targets,
  step: { readonly state: RolloutInput['state']; readonly analysisPending: boolean },
): RolloutInput {
  const isBaseline = (p: Planned) =>
    isBaselineInstance(p.instance, latest.id, targets.stable.artifactDigest);
  const of = (digest: string) =>
    planned
      .filter((p) => p.instance.artifactDigest === digest && !isBaseline(p))
      .map((p) => p.planned);
  const known = [targets.stable.artifactDigest, targets.canary.artifactDigest];
  return {
    replicas: latest.spec.replicas,
    analysisPending: step.analysisPending,
    state: step.state,
    phase: latest.phase as RolloutInput['phase'],
    now,
    stable: of(targets.stable.artifactDigest),
    canary: of(targets.canary.artifactDigest),
    baseline: planned.filter(isBaseline).map((p) => p.planned),
    others: planned.filter((p) => !known.includes(p.instance.artifactDigest)).map((p) => p.planned),
  };
}

/** A fast rollback skips the steps; once aborted, its strategy sends traffic back at once. */
function planOf(latest: Deployment, input: RolloutInput): RolloutPlan | undefined {
  const strategy = latest.spec.strategy;
  if (latest.fastRollback && latest.phase !== 'Aborted' && strategy.kind !== 'rolling') {
    return planFastRollback(input, strategy.kind);
  }
  if (strategy.kind === 'canary') return planCanary(input, strategy.canary);
  if (strategy.kind === 'blueGreen') return planBlueGreen(input, strategy.blueGreen);
  return undefined;
}

/**
 * Saves the planned state, routes by it, pauses where the plan stops, and starts and retires the
 * instances it asks for. Returns whether the route is down and the rollout was aborted.
 */
async function carryOut(
  env: ReconcileEnv,
  { deployment: latest, previous, instances }: RolloutContext,
  targets: Targets,
  plan: RolloutPlan,
): Promise<boolean> {
  const now = env.deps.clock.now();
  if (JSON.stringify(plan.state) !== JSON.stringify(latest.rollout)) {
    await env.writer.apply(latest, advance(latest, plan.state, now));
  }
  env.routerSync.remember(latest, {
    routing: plan.routing,
    stableDigest: targets.stable.artifactDigest,
    canaryDigest: targets.canary.artifactDigest,
  });
  await env.routerSync.sync(latest);
  if (await failOnRouteDown(env, latest)) return true;
  if (plan.pause && latest.phase === 'Progressing') {
    await env.transit(latest, pause(latest, plan.pause, 'controller'));
  }
  const { actuator } = env;
  actuator.retireAll(
    instances.map((p) => p.instance),
    plan.stop,
  );
  for (let k = 0; k < plan.startStable; k++) await actuator.launch(previous!, targets.stable);
  for (let k = 0; k < plan.startCanary; k++) await actuator.launch(latest, targets.canary);
  for (let k = 0; k < (plan.startBaseline ?? 0); k++) await actuator.launch(latest, targets.stable);
  return false;
}

/** Done: Succeeded. Stuck past the progress deadline where no step waits on time: aborted. */
async function conclude(
  env: ReconcileEnv,
  latest: Deployment,
  input: RolloutInput,
  plan: RolloutPlan,
): Promise<void> {
  const strategy = latest.spec.strategy;
  const canaryReady = input.canary.filter((i) => i.state === 'ready').length;
  const waitingOnTime =
    latest.fastRollback !== true &&
    (strategy.kind === 'canary'
      ? stepWaitsOnTime(strategy.canary.steps[plan.state.stepIndex])
      : canaryReady >= input.replicas);
  if (plan.done) {
    await env.deps.analysis?.terminate(latest.id);
    env.steps.delete(latest.id);
    await succeed(env, latest);
  } else if (
    latest.phase === 'Progressing' &&
    !waitingOnTime &&
    // A step that just ended refreshed lastProgressAt: `latest` still has the old one.
    plan.state.stepIndex === latest.rollout!.stepIndex &&
    plan.state.switchedAt === latest.rollout!.switchedAt &&
    pastDeadline(env.deps, latest)
  ) {
    const cause = deadlineCause(env.deps, latest, canaryReady);
    await env.transit(latest, abort(latest, cause, env.deps.clock.now(), 'controller'));
  }
}
