import type { PauseCause } from './phase-cause.js';
import type { BlueGreenConfig } from './strategy-spec.js';
import { liveOf, type RolloutInput, type RolloutPlan } from './rollout-plan.js';
import { readyCount, scaleSet } from './scale-set.js';

/**
 * One step of a blue-green rollout. The new set starts at full size beside the old one and is
 * reachable only on the preview route; once it is all ready, the pre-promotion steps run, then
 * promotion (automatic after `autoPromotion`, or by command) switches all traffic at once. The old
 * set stays up for `scaleDownDelay` (and until post-promotion analysis passed), so an abort in
 * that window switches straight back. Pre-promotion analysis must pass before the switch.
 */
export function planBlueGreen(input: RolloutInput, blueGreen: BlueGreenConfig): RolloutPlan {
  const { replicas, now, phase } = input;
  const steps = blueGreen.prePromotionSteps;
  const stop = liveOf(input.others).map((i) => i.id);
  const newReady = readyCount(input.canary);

  if (phase === 'Aborted') {
    const keep = now < (input.state.abortedAt ?? now) + blueGreen.scaleDownDelayMs;
    const stable = scaleSet(input.stable, replicas);
    const preview = scaleSet(input.canary, keep ? liveOf(input.canary).length : 0);
    return {
      startStable: stable.start,
      startCanary: 0,
      stop: [...stop, ...stable.stop, ...preview.stop],
      routing: { kind: 'blueGreen', active: 'stable', preview: false },
      state: input.state,
      pause: null,
      done: false,
    };
  }

  let state = input.state;
  if (state.switchedAt === null) {
    let pause: PauseCause | null = null;
    if (newReady >= replicas && phase === 'Progressing') {
      while (!state.full && state.stepIndex < steps.length) {
        const step = steps[state.stepIndex]!;
        if (step.kind !== 'pause') break;
        if (step.durationMs === null) {
          pause = { kind: 'beforePromotion', stepIndex: state.stepIndex };
          break;
        }
        if (now < state.stepStartedAt + step.durationMs) break;
        state = { ...state, stepIndex: state.stepIndex + 1, stepStartedAt: now };
      }
      const stepsDone = state.full || state.stepIndex >= steps.length;
      const auto = blueGreen.autoPromotionMs;
      const promoted = state.full || (auto !== null && now >= state.stepStartedAt + auto);
      if (stepsDone && promoted && !input.analysisPending) {
        state = { ...state, switchedAt: now, stepIndex: steps.length };
      } else if (stepsDone && auto === null && pause === null && !promoted) {
        pause = { kind: 'previewReady' };
      }
    }
    if (state.switchedAt === null) {
      const stable = scaleSet(input.stable, replicas);
      const preview = scaleSet(input.canary, replicas);
      return {
        startStable: stable.start,
        startCanary: preview.start,
        stop: [...stop, ...stable.stop, ...preview.stop],
        routing: { kind: 'blueGreen', active: 'stable', preview: true },
        state,
        pause,
        done: false,
      };
    }
  }

  const keepOld = input.analysisPending || now < state.switchedAt! + blueGreen.scaleDownDelayMs;
  const stable = scaleSet(input.stable, keepOld ? liveOf(input.stable).length : 0);
  const active = scaleSet(input.canary, replicas);
  return {
    startStable: 0,
    startCanary: active.start,
    stop: [...stop, ...stable.stop, ...active.stop],
    routing: { kind: 'blueGreen', active: 'canary', preview: false },
    state,
    pause: null,
    done:
      !keepOld &&
      input.stable.length === 0 &&
      input.others.length === 0 &&
      newReady === replicas &&
      input.canary.length === replicas,
  };
}
