import { describe, expect, it } from 'vitest';
import type { BlueGreenConfig } from '../../../config/ferry-config.js';
import { planBlueGreen } from './blue-green-plan.js';
import type { PlannedInstance } from './rolling-plan.js';
import type { RolloutInput } from './rollout-plan.js';
import { initialRolloutState } from './rollout-state.js';

const ready = (id: string): PlannedInstance => ({ id, state: 'ready' });
const config: BlueGreenConfig = {
  previewRoutes: {},
  autoPromotionMs: 1000,
  scaleDownDelayMs: 3000,
  prePromotionSteps: [],
  prePromotionAnalysis: null,
  postPromotionAnalysis: null,
};
const stable = [ready('s1'), ready('s2')];
const fresh = [ready('n1'), ready('n2')];

function input(overrides: Partial<RolloutInput>): RolloutInput {
  return {
    replicas: 2,
    state: initialRolloutState(0),
    phase: 'Progressing',
    now: 0,
    stable,
    canary: [],
    others: [],
    ...overrides,
  };
}

describe('planBlueGreen', () => {
  it('starts the new set at full size behind the preview route only', () => {
    const plan = planBlueGreen(input({}), config);
    expect(plan.startCanary).toBe(2);
    expect(plan.routing).toEqual({ kind: 'blueGreen', active: 'stable', preview: true });
  });

  it('switches all traffic at once after autoPromotion and keeps the old set for the delay', () => {
    expect(planBlueGreen(input({ canary: fresh, now: 500 }), config).state.switchedAt).toBeNull();
    const switched = planBlueGreen(input({ canary: fresh, now: 1000 }), config);
    expect(switched.state.switchedAt).toBe(1000);
    expect(switched.routing).toMatchObject({ active: 'canary' });
    expect(switched.stop).toEqual([]);
    const later = planBlueGreen(input({ canary: fresh, state: switched.state, now: 4000 }), config);
    expect(later.stop).toEqual(['s1', 's2']);
    const done = planBlueGreen(
      input({ canary: fresh, stable: [], state: switched.state, now: 4100 }),
      config,
    );
    expect(done.done).toBe(true);
  });

  it('without autoPromotion waits for promote', () => {
    const manual = { ...config, autoPromotionMs: null };
    const plan = planBlueGreen(input({ canary: fresh, now: 99_000 }), manual);
    expect(plan.pause).toEqual({ kind: 'previewReady' });
    const promoted = { ...initialRolloutState(0), full: true };
    expect(planBlueGreen(input({ canary: fresh, state: promoted }), manual).state.switchedAt).toBe(
      0,
    );
  });

  it('runs timed pre-promotion pauses before the switch', () => {
    const paused = { ...config, prePromotionSteps: [{ kind: 'pause', durationMs: 2000 } as const] };
    const plan = planBlueGreen(input({ canary: fresh, now: 1500 }), paused);
    expect(plan.state.switchedAt).toBeNull();
    const after = planBlueGreen(input({ canary: fresh, now: 2000 }), paused);
    expect(after.state.stepIndex).toBe(1);
  });

  it('on abort sends everything back to the old set', () => {
    const state = { ...initialRolloutState(0), switchedAt: 1000, abortedAt: 1500 };
    const plan = planBlueGreen(
      input({ canary: fresh, state, phase: 'Aborted', now: 1600 }),
      config,
    );
    expect(plan.routing).toEqual({ kind: 'blueGreen', active: 'stable', preview: false });
    expect(plan.startStable).toBe(0);
  });
});

describe('planBlueGreen with analysis', () => {
  it('does not switch while pre-promotion analysis runs, even when promoted, and switches once it passed', () => {
    const manual = { ...config, autoPromotionMs: null };
    const promoted = { ...initialRolloutState(0), full: true };
    const waiting = planBlueGreen(
      input({ canary: fresh, state: promoted, analysisPending: true }),
      manual,
    );
    expect(waiting.state.switchedAt).toBeNull();
    expect(waiting.pause).toBeNull(); // promoted already: no second "run promote"
    const passed = planBlueGreen(input({ canary: fresh, state: promoted, now: 7 }), manual);
    expect(passed.state.switchedAt).toBe(7);
  });

  it('keeps the old set past scaleDownDelay until post-promotion analysis passed', () => {
    const switched = { ...initialRolloutState(0), switchedAt: 0 };
    const pending = planBlueGreen(
      input({ canary: fresh, state: switched, now: 60_000, analysisPending: true }),
      config,
    );
    expect(pending.stop).toEqual([]);
    expect(pending.done).toBe(false);
    const passed = planBlueGreen(input({ canary: fresh, state: switched, now: 60_000 }), config);
    expect(passed.stop).toEqual(['s1', 's2']);
  });
});
