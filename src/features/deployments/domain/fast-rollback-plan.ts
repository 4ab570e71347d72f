import {
  liveOf,
  type RolloutInput,
  type RolloutPlan,
  type RolloutRouting,
} from './rollout-plan.js';
import { readyCount, scaleSet } from './scale-set.js';

/**
 * One step of a fast rollback (a rollback within `rollbackWindow`) of a canary or blue-green
 * service. No steps, no analysis, no surge limit: all the old version's instances start at once
 * (`canary` here is the version rolled back to, `stable` the one being left), traffic stays where
 * it is until they are all ready, then switches to them entirely in one move, and the left
 * version retires at once. If the left version has no ready instance, traffic switches as soon
 * as one old instance is ready. A paused rollback starts instances but does not switch.
 *
 * An aborted fast rollback is planned by its strategy's planner: traffic goes back at once.
 */
export function planFastRollback(
  input: RolloutInput,
  strategy: 'canary' | 'blueGreen',
): RolloutPlan {
  const { replicas, now } = input;
  const oldReady = readyCount(input.canary);
  const stop = liveOf(input.others).map((i) => i.id);
  const old = scaleSet(input.canary, replicas);
  let state = input.state;
  const switchNow =
    state.switchedAt === null &&
    input.phase === 'Progressing' &&
    (oldReady >= replicas || (oldReady > 0 && readyCount(input.stable) === 0));
  if (switchNow) state = { ...state, full: true, switchedAt: now };
  const switched = state.switchedAt !== null;
  const left = scaleSet(input.stable, switched ? 0 : liveOf(input.stable).length);
  return {
    startStable: 0,
    startCanary: old.start,
    stop: [...stop, ...left.stop, ...old.stop, ...scaleSet(input.baseline ?? [], 0).stop],
    routing: routingFor(strategy, switched),
    state,
    pause: null,
    done:
      switched &&
      input.stable.length === 0 &&
      input.others.length === 0 &&
      (input.baseline ?? []).length === 0 &&
      oldReady === replicas &&
      input.canary.length === replicas,
  };
}

function routingFor(strategy: 'canary' | 'blueGreen', switched: boolean): RolloutRouting {
  return strategy === 'canary'
    ? { kind: 'canary', traffic: { weight: switched ? 100 : 0, matches: [], mirrorPercent: 0 } }
    : { kind: 'blueGreen', active: switched ? 'canary' : 'stable', preview: false };
}
