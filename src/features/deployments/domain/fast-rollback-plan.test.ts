import { describe, expect, it } from 'vitest';
import { planFastRollback } from './fast-rollback-plan.js';
import type { PlannedInstance } from './rolling-plan.js';
import type { RolloutInput } from './rollout-plan.js';
import { initialRolloutState } from './rollout-state.js';

const ready = (id: string): PlannedInstance => ({ id, state: 'ready' });
const pending = (id: string): PlannedInstance => ({ id, state: 'pending' });

// `stable` is the bad version being left, `canary` the old version rolled back to.
const bad = [ready('b1'), ready('b2'), ready('b3')];

function input(overrides: Partial<RolloutInput>): RolloutInput {
  return {
    replicas: 3,
    state: initialRolloutState(0),
    phase: 'Progressing',
    now: 0,
    stable: bad,
    canary: [],
    others: [],
    ...overrides,
  };
}

describe('planFastRollback', () => {
  it('starts every old instance at once and keeps traffic where it is until all are ready', () => {
    const plan = planFastRollback(input({}), 'canary');
    expect(plan.startCanary).toBe(3);
    expect(plan.stop).toEqual([]);
    expect(plan.routing).toEqual({
      kind: 'canary',
      traffic: { weight: 0, matches: [], mirrorPercent: 0 },
    });
    const partly = planFastRollback(
      input({ canary: [ready('o1'), ready('o2'), pending('o3')] }),
      'canary',
    );
    expect(partly.startCanary).toBe(0);
    expect(partly.state.switchedAt).toBeNull();
    expect(partly.pause).toBeNull();
  });

  it('switches all traffic in one move once they are ready, and retires the left version', () => {
    const old = [ready('o1'), ready('o2'), ready('o3')];
    const plan = planFastRollback(input({ canary: old, now: 1234 }), 'canary');
    expect(plan.state).toMatchObject({ switchedAt: 1234, full: true });
    expect(plan.routing).toMatchObject({ traffic: { weight: 100 } });
    expect(plan.stop).toEqual(['b1', 'b2', 'b3']);
    expect(plan.done).toBe(false);
    const done = planFastRollback(input({ canary: old, stable: [], state: plan.state }), 'canary');
    expect(done.done).toBe(true);
  });

  it('for blue-green switches the active set, with no preview', () => {
    const before = planFastRollback(input({}), 'blueGreen');
    expect(before.routing).toEqual({ kind: 'blueGreen', active: 'stable', preview: false });
    const old = [ready('o1'), ready('o2'), ready('o3')];
    const after = planFastRollback(input({ canary: old }), 'blueGreen');
    expect(after.routing).toEqual({ kind: 'blueGreen', active: 'canary', preview: false });
  });

  it('switches on the first ready old instance when the left version has none ready', () => {
    const plan = planFastRollback(
      input({ stable: [pending('b1')], canary: [ready('o1'), pending('o2'), pending('o3')] }),
      'canary',
    );
    expect(plan.state.switchedAt).toBe(0);
    expect(plan.stop).toEqual(['b1']);
  });

  it('does not switch while paused, nor undo a switch', () => {
    const old = [ready('o1'), ready('o2'), ready('o3')];
    expect(
      planFastRollback(input({ canary: old, phase: 'Paused' }), 'canary').state.switchedAt,
    ).toBeNull();
    const switched = { ...initialRolloutState(0), switchedAt: 5 };
    const paused = planFastRollback(
      input({ canary: old, phase: 'Paused', state: switched }),
      'canary',
    );
    expect(paused.routing).toMatchObject({ traffic: { weight: 100 } });
  });
});
