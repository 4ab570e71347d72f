import type { StoredInstance } from '../../instances/instance.js';
import { planRollingStep } from '../domain/rolling-plan.js';
import { runsSpec } from '../domain/runs-spec.js';
import { rolloutTarget } from '../domain/rollout-target.js';
import { abort, rolledBack } from '../domain/transitions.js';
import { allPassed, applyVerdicts, checkGates } from './gate-verdicts.js';
import { deadlineCause, pastDeadline } from './progress-deadline.js';
import { tellRollbackStalled } from './rollback-stall.js';
import type { ReconcileStep } from './reconcile-env.js';
import { failOnRouteDown } from './route-down.js';
import { succeed } from './succeed.js';

/**
 * A rolling update (and every deployment at rest): replace instances of other artifacts with
 * the target's, `maxSurge`/`maxUnavailable` at a time; once all run it, the post-deploy gate
 * decides. A rolling update rolling back goes to the previous deployment's artifact the same way.
 *
 * A rollback is fast (issue 8): a fast rollback (`fastRollback`, within `rollbackWindow`) and an
 * automatic one (`RollingBack`: crash loop, smoke checks, post-deploy analysis, deadline) start
 * all the old version's instances at once, and each instance being left retires as soon as one
 * of them is ready; the strategy's `maxSurge`/`maxUnavailable` do not pace them.
 */
export const reconcileRolling: ReconcileStep = async (context, env) => {
  const { deployment: latest, previous, instances: planned } = context;
  env.routerSync.forget(latest);
  const target = rolloutTarget(latest, previous);
  await env.routerSync.sync(latest);
  if (await failOnRouteDown(env, latest)) return true;
  // Same artifact but started under another configuration (`ferry apply`): replaced too.
  const isTarget = (i: StoredInstance) =>
    target !== null && i.artifactDigest === target.artifactDigest && runsSpec(i.spec, target.spec);
  const replicas = target ? target.spec.replicas : 0;
  const fast =
    (latest.fastRollback === true && latest.phase === 'Progressing') ||
    latest.phase === 'RollingBack';
  const plan = planRollingStep({
    replicas,
    rolling: fast
      ? { maxSurge: replicas, maxUnavailable: 0 }
      : target?.spec.strategy.kind === 'rolling'
        ? target.spec.strategy.rolling
        : { maxSurge: 1, maxUnavailable: 0 },
    target: planned.filter((p) => isTarget(p.instance)).map((p) => p.planned),
    others: planned.filter((p) => !isTarget(p.instance)).map((p) => p.planned),
  });
  // A paused rolling update holds where it stands (`ferry rollout pause`): it neither starts
  // nor retires instances until it is resumed.
  if (latest.phase !== 'Paused') {
    env.actuator.retireAll(
      planned.map((p) => p.instance),
      plan.stop,
    );
    if (target) {
      for (let k = 0; k < plan.start; k++) await env.actuator.launch(latest, target);
    }
  }

  const now = env.deps.clock.now();
  if (plan.done && (latest.phase === 'Progressing' || latest.phase === 'Paused')) {
    const progress = { rolledOut: true, previewReady: false };
    const states = await checkGates(env, latest, previous, progress);
    if (await applyVerdicts(env, latest, states)) return true;
    if (latest.phase === 'Progressing' && allPassed(states)) await succeed(env, latest);
  } else if (plan.done && latest.phase === 'RollingBack') {
    await env.transit(latest, rolledBack(latest, now));
  } else if (latest.phase === 'RollingBack' && target && pastDeadline(env.deps, latest)) {
    const ready = planned.filter((p) => isTarget(p.instance) && p.planned.state === 'ready');
    await tellRollbackStalled(env, latest, target, ready.length);
  } else if (
    latest.phase === 'Progressing' &&
    !env.deps.analysis?.busy(latest.id) &&
    pastDeadline(env.deps, latest)
  ) {
    const ready = planned.filter((p) => isTarget(p.instance) && p.planned.state === 'ready');
    await env.transit(
      latest,
      abort(latest, deadlineCause(env.deps, latest, ready.length), now, 'controller'),
    );
  }
  return true;
};
