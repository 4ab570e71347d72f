import { describe, expect, it } from 'vitest';
import type { CanaryConfig, StrategyConfig } from '../../../config/ferry-config.js';
import { planCanary } from './canary-plan.js';
import type { PlannedInstance } from './rolling-plan.js';
import { initialRolloutState, type RolloutState } from './rollout-state.js';
import { countUpTime, upTimeHeartbeatMs, waitsOnTime } from './up-time.js';

const ready = (id: string): PlannedInstance => ({ id, state: 'ready' });
const canary: CanaryConfig = {
  maxSurge: '100%',
  stickySession: null,
  abortScaleDownDelayMs: 5000,
  steps: [
    { kind: 'setWeight', weight: 20 },
    { kind: 'pause', durationMs: 20_000 },
    { kind: 'pause', durationMs: null },
  ],
  analysis: null,
  baseline: false,
  judge: null,
};
const strategy: StrategyConfig = { kind: 'canary', canary };
const at = (stepIndex: number, stepStartedAt: number): RolloutState => ({
  ...initialRolloutState(0),
  stepIndex,
  stepStartedAt,
});

/** The step the canary planner is at, `now`, with the canary ready. */
function stepAt(state: RolloutState, now: number): number {
  const plan = planCanary(
    {
      replicas: 2,
      state,
      phase: 'Progressing',
      now,
      stable: [ready('s1'), ready('s2')],
      canary: [ready('c1')],
      others: [],
    },
    canary,
  );
  return plan.state.stepIndex;
}

describe('countUpTime', () => {
  it('keeps the pause time left when the server was down longer than the pause', () => {
    // A 20 s pause from 10 s, last seen 5 s into it; the server is down 25 s and comes back at 40 s.
    let state = countUpTime(at(1, 10_000), 15_000, false);
    expect(state.lastSeenAt).toBe(15_000);
    expect(stepAt(state, 40_000)).toBe(2); // what the planner alone would do: the pause is over

    state = countUpTime(state, 40_000, true);
    expect(state).toMatchObject({ stepIndex: 1, stepStartedAt: 35_000, lastSeenAt: 40_000 });
    expect(stepAt(state, 40_000)).toBe(1);
    expect(stepAt(state, 54_999)).toBe(1);
    expect(stepAt(state, 55_000)).toBe(2); // 15 s of up time after the restart
  });

  it('counts a pause from its start when no heartbeat was written before the crash', () => {
    const state = countUpTime(at(1, 10_000), 60_000, true);
    expect(state.stepStartedAt).toBe(60_000);
    expect(stepAt(state, 79_999)).toBe(1);
  });

  it('counts from the start of a step begun after the last heartbeat of an earlier one', () => {
    const state = countUpTime({ ...at(1, 30_000), lastSeenAt: 12_000 }, 50_000, true);
    expect(state.stepStartedAt).toBe(50_000);
  });

  it('counts all the time while this process runs, however slow, and beats once a second', () => {
    const start = countUpTime(at(1, 10_000), 10_000, false);
    expect(start.lastSeenAt).toBe(10_000);
    const soon = countUpTime(start, 10_000 + upTimeHeartbeatMs - 1, false);
    expect(soon).toBe(start);
    const slow = countUpTime(start, 25_000, false);
    expect(slow).toEqual({ ...start, lastSeenAt: 25_000 });
    expect(stepAt(slow, 30_000)).toBe(2);
  });
});

describe('waitsOnTime', () => {
  it('is true at a timed pause only, and for blue-green waiting for its auto-promotion', () => {
    expect(waitsOnTime(strategy, at(0, 0))).toBe(false);
    expect(waitsOnTime(strategy, at(1, 0))).toBe(true);
    expect(waitsOnTime(strategy, at(2, 0))).toBe(false);
    expect(waitsOnTime(strategy, { ...at(1, 0), abortedAt: 5 })).toBe(false);
    expect(waitsOnTime(strategy, { ...at(1, 0), full: true })).toBe(false);
    const blueGreen = (autoPromotionMs: number | null): StrategyConfig => ({
      kind: 'blueGreen',
      blueGreen: {
        previewRoutes: {},
        autoPromotionMs,
        scaleDownDelayMs: 0,
        prePromotionSteps: [],
        prePromotionAnalysis: null,
        postPromotionAnalysis: null,
      },
    });
    expect(waitsOnTime(blueGreen(30_000), at(0, 0))).toBe(true);
    expect(waitsOnTime(blueGreen(null), at(0, 0))).toBe(false);
    expect(waitsOnTime(blueGreen(30_000), { ...at(0, 0), switchedAt: 9 })).toBe(false);
  });
});
