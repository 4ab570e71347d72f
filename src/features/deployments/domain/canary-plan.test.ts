import { describe, expect, it } from 'vitest';
import type { CanaryConfig, CanaryStep } from '../../../config/ferry-config.js';
import { planCanary } from './canary-plan.js';
import type { PlannedInstance } from './rolling-plan.js';
import type { RolloutInput } from './rollout-plan.js';
import { initialRolloutState } from './rollout-state.js';

const ready = (id: string): PlannedInstance => ({ id, state: 'ready' });
const pending = (id: string): PlannedInstance => ({ id, state: 'pending' });

const steps: CanaryStep[] = [
  { kind: 'setWeight', weight: 10 },
  { kind: 'pause', durationMs: 1000 },
  { kind: 'setWeight', weight: 50 },
  { kind: 'pause', durationMs: null },
];
const config: CanaryConfig = {
  maxSurge: '100%',
  stickySession: null,
  abortScaleDownDelayMs: 5000,
  steps,
  analysis: null,
  baseline: false,
  judge: null,
};
const stable = [ready('s1'), ready('s2'), ready('s3'), ready('s4')];

function input(overrides: Partial<RolloutInput>): RolloutInput {
  return {
    replicas: 4,
    state: initialRolloutState(0),
    phase: 'Progressing',
    now: 0,
    stable,
    canary: [],
    others: [],
    ...overrides,
  };
}

describe('planCanary', () => {
  it('starts the canary instances a weight needs before it shifts any traffic', () => {
    const plan = planCanary(input({}), config);
    expect(plan.startCanary).toBe(1);
    expect(plan.routing).toEqual({
      kind: 'canary',
      traffic: { weight: 0, matches: [], mirrorPercent: 0 },
    });
    expect(plan.state.stepIndex).toBe(0);
  });

  it('applies the weight once the canary is ready, then waits out a timed pause', () => {
    const plan = planCanary(input({ canary: [ready('c1')], now: 100 }), config);
    expect(plan.state).toMatchObject({ stepIndex: 1, stepStartedAt: 100 });
    expect(plan.routing).toMatchObject({ traffic: { weight: 10 } });
    const later = planCanary(
      input({ canary: [ready('c1')], state: plan.state, now: 1200 }),
      config,
    );
    expect(later.state.stepIndex).toBe(2);
    // Scaling ahead for 50%: two canary instances.
    expect(later.startCanary).toBe(1);
  });

  it('stops at an open-ended pause and asks for promotion', () => {
    const plan = planCanary(
      input({
        canary: [ready('c1'), ready('c2')],
        state: { ...initialRolloutState(0), stepIndex: 2 },
        now: 5,
      }),
      config,
    );
    expect(plan.state.stepIndex).toBe(3);
    expect(plan.pause).toEqual({ kind: 'openPauseStep', stepIndex: 3, steps: steps.length });
    expect(plan.routing).toMatchObject({ traffic: { weight: 50 } });
  });

  it('does not advance while paused', () => {
    const plan = planCanary(input({ canary: [ready('c1')], phase: 'Paused', now: 100 }), config);
    expect(plan.state.stepIndex).toBe(0);
  });

  it('promotes fully: canary to full size, all traffic, and only then the stable set goes', () => {
    const state = { ...initialRolloutState(0), full: true };
    const scaling = planCanary(input({ canary: [ready('c1')], state }), config);
    expect(scaling.startCanary).toBe(3);
    expect(scaling.stop).toEqual([]);
    const canary = [ready('c1'), ready('c2'), ready('c3'), ready('c4')];
    const switching = planCanary(input({ canary, state }), config);
    expect(switching.routing).toMatchObject({ traffic: { weight: 100 } });
    expect(switching.stop).toEqual(['s1', 's2', 's3', 's4']);
    expect(switching.done).toBe(false);
    expect(planCanary(input({ canary, stable: [], state }), config).done).toBe(true);
  });

  it('on abort sends no traffic to the canary and stops it after the delay', () => {
    const state = { ...initialRolloutState(0), stepIndex: 3, abortedAt: 1000 };
    const canary = [ready('c1'), pending('c2')];
    const within = planCanary(input({ canary, state, phase: 'Aborted', now: 2000 }), config);
    expect(within.routing).toMatchObject({ traffic: { weight: 0, matches: [], mirrorPercent: 0 } });
    expect(within.stop).toEqual([]);
    const after = planCanary(input({ canary, state, phase: 'Aborted', now: 7000 }), config);
    expect([...after.stop].sort()).toEqual(['c1', 'c2']);
  });

  it('gives header routes and mirroring a canary instance even at weight 0', () => {
    const mirrorOnly: CanaryConfig = {
      ...config,
      steps: [
        { kind: 'setMirror', percentage: 50 },
        { kind: 'pause', durationMs: null },
      ],
    };
    expect(planCanary(input({}), mirrorOnly).startCanary).toBe(1);
    const plan = planCanary(input({ canary: [ready('c1')] }), mirrorOnly);
    expect(plan.routing).toMatchObject({ traffic: { weight: 0, mirrorPercent: 50 } });
  });
});

describe('planCanary with analysis and a baseline', () => {
  const judged: CanaryConfig = {
    ...config,
    baseline: true,
    judge: { passThreshold: 95, marginalThreshold: 75, metrics: [] },
    steps: [
      { kind: 'setWeight', weight: 25 },
      { kind: 'analysis', templates: ['errors'], durationMs: null },
      { kind: 'judge', durationMs: 60_000, intervalMs: null },
      { kind: 'setWeight', weight: 75 },
    ],
  };

  it('starts a baseline as large as the canary and waits for it before the weight applies', () => {
    const plan = planCanary(input({ canary: [ready('c1')] }), judged);
    expect(plan.startBaseline).toBe(1);
    expect(plan.state.stepIndex).toBe(0);
    const both = planCanary(input({ canary: [ready('c1')], baseline: [ready('b1')] }), judged);
    expect(both.state.stepIndex).toBe(1);
    expect(both.routing).toEqual({
      kind: 'canary',
      traffic: { weight: 25, matches: [], mirrorPercent: 0, baselineWeight: 25 },
    });
  });

  it('waits at analysis and judge steps however long they take: the controller ends them', () => {
    const atAnalysis = { ...initialRolloutState(0), stepIndex: 1 };
    const plan = planCanary(
      input({ state: atAnalysis, now: 3_600_000, canary: [ready('c1')], baseline: [ready('b1')] }),
      judged,
    );
    expect(plan.state.stepIndex).toBe(1);
    expect(plan.pause).toBeNull();
    const atJudge = { ...initialRolloutState(0), stepIndex: 2 };
    expect(
      planCanary(
        input({ state: atJudge, now: 3_600_000, canary: [ready('c1')], baseline: [ready('b1')] }),
        judged,
      ).state.stepIndex,
    ).toBe(2);
  });

  it('caps the baseline share so the stable set keeps the rest, and drops it when promoting', () => {
    const at75 = { ...initialRolloutState(0), stepIndex: 4 };
    const canary = [ready('c1'), ready('c2'), ready('c3')];
    const promoting = planCanary(
      input({ state: at75, canary, baseline: [ready('b1'), ready('b2')] }),
      judged,
    );
    expect(promoting.stop).toEqual(expect.arrayContaining(['b1', 'b2']));
    const before = { ...initialRolloutState(0), stepIndex: 3 };
    const plan = planCanary(input({ state: before, canary, baseline: [ready('b1')] }), judged);
    expect(plan.routing).toMatchObject({ traffic: { weight: 25, baselineWeight: 25 } });
    const high = planCanary(
      input({ state: { ...before, stepIndex: 4 }, canary, baseline: [ready('b1')] }),
      { ...judged, steps: [...judged.steps, { kind: 'pause', durationMs: null }] },
    );
    expect(high.routing).toMatchObject({ traffic: { weight: 75, baselineWeight: 25 } });
  });

  it('stops the baseline when the canary is aborted', () => {
    const aborted = { ...initialRolloutState(0), stepIndex: 2, abortedAt: 0 };
    const plan = planCanary(
      input({ phase: 'Aborted', state: aborted, canary: [ready('c1')], baseline: [ready('b1')] }),
      judged,
    );
    expect(plan.stop).toContain('b1');
    expect(plan.routing).toEqual({
      kind: 'canary',
      traffic: { weight: 0, matches: [], mirrorPercent: 0 },
    });
  });
});
