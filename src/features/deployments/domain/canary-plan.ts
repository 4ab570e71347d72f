import type { PauseCause } from './phase-cause.js';
import type { CanaryConfig } from './strategy-spec.js';
import { canaryScaleAfter, noCanaryTraffic, trafficAfter } from './canary-traffic.js';
import { resolveBudget } from './rolling-plan.js';
import { liveOf, type RolloutInput, type RolloutPlan } from './rollout-plan.js';
import { readyCount, scaleSet } from './scale-set.js';
import { stepBlocks } from './step-kinds.js';

/**
 * One step of a canary rollout. Carries out the steps that can complete now (a weight once the
 * canary has the instances for it, a timed pause once its time is up), stops at an open-ended
 * pause and at an `analysis` or `judge` step (the controller ends those when their run passes), and once past the last step (or promoted with `--full`) scales the canary to full size,
 * sends it all traffic and only then retires the stable set, so there is no traffic blip. With
 * `baseline`, a set of the stable version as large as the canary runs beside it with the same
 * share of traffic until the rollout promotes or aborts.
 */
export function planCanary(input: RolloutInput, canary: CanaryConfig): RolloutPlan {
  const { replicas, now, phase } = input;
  const { steps } = canary;
  const surge = resolveBudget(canary.maxSurge, replicas, 'up');
  const canaryReady = readyCount(input.canary);
  const baseline = input.baseline ?? [];
  const baselineReady = readyCount(baseline);
  // The baseline leaves with the canary's traffic: when the rollout aborts or promotes.
  const noBaseline = scaleSet(baseline, 0).stop;
  const stop = liveOf(input.others).map((i) => i.id);

  if (phase === 'Aborted') {
    const keep = now < (input.state.abortedAt ?? now) + canary.abortScaleDownDelayMs;
    const stable = scaleSet(input.stable, replicas);
    const canarySet = scaleSet(input.canary, keep ? liveOf(input.canary).length : 0);
    return {
      startStable: stable.start,
      startCanary: 0,
      stop: [...stop, ...stable.stop, ...canarySet.stop, ...noBaseline],
      routing: { kind: 'canary', traffic: noCanaryTraffic },
      state: input.state,
      pause: null,
      done: false,
    };
  }

  let state = input.state;
  let pause: PauseCause | null = null;
  const promoting = () => state.full || state.stepIndex >= steps.length;
  while (phase === 'Progressing' && !promoting()) {
    const step = steps[state.stepIndex]!;
    if (step.kind === 'pause') {
      if (step.durationMs === null) {
        pause = { kind: 'openPauseStep', stepIndex: state.stepIndex, steps: steps.length };
        break;
      }
      if (now < state.stepStartedAt + step.durationMs) break;
    } else if (stepBlocks(step)) {
      break; // Ends when its gate passes: the controller moves the step on.
    } else {
      const needed = canaryScaleAfter(steps, state.stepIndex + 1, replicas);
      if (canaryReady < needed || (canary.baseline && baselineReady < needed)) break;
    }
    state = { ...state, stepIndex: state.stepIndex + 1, stepStartedAt: now };
  }

  if (promoting()) {
    const allReady = canaryReady >= replicas;
    const canarySet = scaleSet(input.canary, replicas, surge);
    const stable = scaleSet(input.stable, allReady ? 0 : replicas);
    const traffic = allReady
      ? { weight: 100, matches: [], mirrorPercent: 0 }
      : trafficAfter(steps, Math.min(state.stepIndex, steps.length));
    return {
      startStable: stable.start,
      startCanary: canarySet.start,
      stop: [...stop, ...stable.stop, ...canarySet.stop, ...noBaseline],
      routing: { kind: 'canary', traffic },
      state,
      pause,
      done:
        allReady &&
        input.stable.length === 0 &&
        input.others.length === 0 &&
        baseline.length === 0 &&
        input.canary.length === replicas,
    };
  }

  // Scale ahead for the current step, so its weight lands on instances that are ready.
  const desiredCanary = canaryScaleAfter(steps, state.stepIndex + 1, replicas);
  const canarySet = scaleSet(input.canary, desiredCanary, surge);
  const stable = scaleSet(input.stable, replicas);
  const traffic = trafficAfter(steps, state.stepIndex);
  if (!canary.baseline) {
    return {
      startStable: stable.start,
      startCanary: canarySet.start,
      stop: [...stop, ...stable.stop, ...canarySet.stop, ...noBaseline],
      routing: { kind: 'canary', traffic },
      state,
      pause,
      done: false,
    };
  }
  // A baseline as large as the canary, with the same share of traffic (capped so the stable set
  // keeps the rest): the judge compares two fresh sets under the same load.
  const baselineSet = scaleSet(baseline, desiredCanary, surge);
  return {
    startStable: stable.start,
    startCanary: canarySet.start,
    startBaseline: baselineSet.start,
    stop: [...stop, ...stable.stop, ...canarySet.stop, ...baselineSet.stop],
    routing: {
      kind: 'canary',
      traffic: { ...traffic, baselineWeight: Math.min(traffic.weight, 100 - traffic.weight) },
    },
    state,
    pause,
    done: false,
  };
}
