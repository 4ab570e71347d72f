import { describe, expect, it } from 'vitest';
import type { ServiceConfig } from '../../../config/ferry-config.js';
import { loadConfigFile } from '../../../config/load-config.js';
import { gatesOf, type GateInput } from './analysis-gates.js';
import { initialRolloutState } from './rollout-state.js';

const config = await loadConfigFile('test/fixtures/config/valid-analysis.yaml');
const { web, api, admin } = config.services as Record<string, ServiceConfig>;

function gates(overrides: Partial<GateInput> & Pick<GateInput, 'spec'>) {
  return gatesOf({
    version: 'v2',
    stableVersion: 'v1',
    state: initialRolloutState(0),
    previewReady: false,
    rolledOut: false,
    ...overrides,
  }).map((gate) => gate.name);
}

describe('gatesOf', () => {
  // web: background from step 1; steps: setWeight, analysis, judge, analysis.
  it('runs the current canary step and background analysis from its starting step', () => {
    expect(gates({ spec: web! })).toEqual([]);
    const at = (stepIndex: number) => ({ ...initialRolloutState(0), stepIndex });
    expect(gates({ spec: web!, state: at(1) })).toEqual(['step-2', 'background']);
    expect(gates({ spec: web!, state: at(2) })).toEqual(['judge-3', 'background']);
    expect(gates({ spec: web!, state: at(4) })).toEqual(['background']);
    expect(gates({ spec: web!, state: { ...at(1), full: true } })).toEqual(['background']);
  });

  it('measures the canary track with the versions of every track', () => {
    const [step] = gatesOf({
      spec: web!,
      version: 'v2',
      stableVersion: 'v1',
      state: { ...initialRolloutState(0), stepIndex: 1 },
      previewReady: false,
      rolledOut: false,
    });
    expect(step).toMatchObject({
      kind: 'analysis',
      track: 'canary',
      version: 'v2',
      versions: { canary: 'v2', stable: 'v1', baseline: 'v1' },
      listener: 'main',
      durationMs: 30_000,
    });
  });

  it('keeps background analysis measuring past an override; a timed step waits for samples until its end', () => {
    const at = (stepIndex: number) => ({ ...initialRolloutState(0), stepIndex });
    const found = gatesOf({
      spec: web!,
      version: 'v2',
      stableVersion: 'v1',
      state: at(1),
      previewReady: false,
      rolledOut: false,
    });
    expect(found).toMatchObject([
      { name: 'step-2', sampleWaitMs: 30_000 },
      { name: 'background', continuous: true, sampleWaitMs: web!.inconclusive.timeoutMs },
    ]);
    expect(found[0]).not.toHaveProperty('continuous');
  });

  it('checks a rolling update once it is rolled out', () => {
    expect(gates({ spec: api!, state: null })).toEqual([]);
    expect(gates({ spec: api!, state: null, rolledOut: true })).toEqual(['post-deploy']);
  });

  it('runs blue-green pre-promotion on the ready preview, post-promotion after the switch', () => {
    expect(gates({ spec: admin! })).toEqual([]);
    expect(gates({ spec: admin!, previewReady: true })).toEqual(['pre-promotion']);
    const switched = { ...initialRolloutState(0), switchedAt: 5 };
    expect(gates({ spec: admin!, state: switched, previewReady: true })).toEqual([
      'post-promotion',
    ]);
    const [pre] = gatesOf({
      spec: admin!,
      version: 'v2',
      stableVersion: 'v1',
      state: initialRolloutState(0),
      previewReady: true,
      rolledOut: false,
    });
    expect(pre).toMatchObject({ track: 'stable', listener: 'preview', versions: { stable: 'v2' } });
  });
});
