import type { StrategyConfig } from './strategy-spec.js';
import type { RolloutState } from './rollout-state.js';
import { rolloutSteps } from './rollout-steps.js';

/** How often a controller records (`lastSeenAt`) that it still sees a rollout at a timed step. */
export const upTimeHeartbeatMs = 1_000;

/**
 * Whether the rollout's current step waits on the clock: a timed `pause`, or a blue-green
 * waiting for `autoPromotionSeconds` before its switch.
 */
export function waitsOnTime(strategy: StrategyConfig, state: RolloutState): boolean {
  if (state.full || state.abortedAt !== null || state.switchedAt !== null) return false;
  const step = rolloutSteps(strategy)[state.stepIndex];
  if (step) return step.kind === 'pause' && step.durationMs !== null;
  return strategy.kind === 'blueGreen' && strategy.blueGreen.autoPromotionMs !== null;
}

/**
 * Makes a timed step count only the time Ferry was up. A controller calls it at each look at a
 * rollout that `waitsOnTime`; `resumed` says this process had not seen the rollout before (it
 * just started). Then the time since the rollout was last seen (`lastSeenAt`, or the start of
 * the step when that is later) was time the server was down: the step's start moves on by as
 * much, so the pause keeps the time it had left. Otherwise `lastSeenAt` moves to `now` once a
 * heartbeat has passed; the state is returned unchanged in between, so it is not written at
 * every look. Up to one heartbeat of up time before a crash is not counted: the pause errs on
 * the long side.
 *
 * @example
 * // A 20 s pause began at 0 and was last seen at 5 s; the server came back at 30 s:
 * countUpTime({ ...state, stepStartedAt: 0, lastSeenAt: 5_000 }, 30_000, true)
 * // { ...state, stepStartedAt: 25_000, lastSeenAt: 30_000 }: 15 s of the pause are left
 */
export function countUpTime(state: RolloutState, now: number, resumed: boolean): RolloutState {
  const seen = Math.max(state.lastSeenAt ?? state.stepStartedAt, state.stepStartedAt);
  if (resumed && now > seen) {
    return { ...state, stepStartedAt: state.stepStartedAt + (now - seen), lastSeenAt: now };
  }
  if (state.lastSeenAt === undefined || now - state.lastSeenAt >= upTimeHeartbeatMs) {
    return { ...state, lastSeenAt: now };
  }
  return state;
}
