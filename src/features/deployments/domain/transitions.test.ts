import { describe, expect, it } from 'vitest';
import { serviceSchema } from '../../../config/service-schema.js';
import type { ServiceConfig } from '../../../config/ferry-config.js';
import type { Deployment } from './deployment.js';
import { initialRolloutState } from './rollout-state.js';
import {
  abort,
  advance,
  pause,
  promote,
  recordCondition,
  resume,
  retry,
  rolledBack,
  succeed,
  supersede,
  TransitionRefused,
} from './transitions.js';
import { resumePromotes } from './phase-cause.js';

const canary: ServiceConfig = {
  name: 'web',
  ...serviceSchema.parse({
    runtime: { local: { command: ['node', 'server.js'] } },
    strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }] } },
  }),
};

const at = (ms: number) => new Date(ms).toISOString();

const deployment = (over: Partial<Deployment> = {}): Deployment => ({
  id: 'd2',
  service: 'web',
  environment: 'prod',
  kind: 'deploy',
  artifactDigest: 'sha256:bb',
  version: 'v2',
  phase: 'Progressing',
  reason: null,
  previousId: 'd1',
  spec: canary,
  actor: 'user:ana',
  createdAt: at(0),
  updatedAt: at(0),
  lastProgressAt: at(0),
  finishedAt: null,
  rollout: initialRolloutState(0),
  ...over,
});

describe('deployment transitions', () => {
  it('aborts a canary to Aborted with traffic back at once, a rolling update to RollingBack, a first one to Failed', () => {
    const cause = { kind: 'crashLoop', instanceId: 'i1', restarts: 5 } as const;
    const two = abort(deployment(), cause, 10, 'controller');
    expect(two.patch).toMatchObject({
      phase: 'Aborted',
      reason: 'instance i1 is crash-looping (5 restarts)',
      cause: { phase: 'Aborted', abort: cause },
      rollout: { abortedAt: 10 },
    });
    expect(two.events.map((e) => e.kind)).toEqual(['deployment.aborted']);
    const rolling = abort(deployment({ rollout: null }), cause, 10, 'controller');
    expect(rolling.patch.phase).toBe('RollingBack');
    const first = abort(deployment({ rollout: null, previousId: null }), cause, 10, 'controller');
    expect([first.patch.phase, first.patch.finishedAt]).toEqual(['Failed', at(10)]);
  });

  it('refuses an action from a phase it does not apply to, naming the phases it needs', () => {
    const person = { kind: 'person', actor: 'user:ana' } as const;
    expect(() => abort(deployment({ phase: 'Succeeded' }), person, 1, 'u')).toThrow(
      TransitionRefused,
    );
    expect(() => retry(deployment(), 1, 'u')).toThrow(TransitionRefused);
    expect(() => resume(deployment(), 1, 'u')).toThrow(TransitionRefused);
    try {
      pause(deployment({ phase: 'Paused' }), person, 'u');
    } catch (error) {
      expect((error as TransitionRefused).expected).toEqual(['Progressing']);
    }
  });

  it('pauses with the cause as data and its sentence as the reason', () => {
    const byPerson = pause(deployment(), { kind: 'person', actor: 'user:ana' }, 'user:ana');
    expect(byPerson.patch).toMatchObject({ phase: 'Paused', reason: 'paused by user:ana' });
    const verdict = pause(
      deployment(),
      { kind: 'analysisInconclusive', gate: 'step-2', message: 'too few samples' },
      'controller',
    );
    expect(verdict.patch.reason).toBe(
      'analysis "step-2" is Inconclusive (too few samples): run "ferry rollout promote" to go on or "ferry rollout abort" to roll back',
    );
    // Only a person's pause or a verdict keep `resume` from promoting.
    expect(resumePromotes({ kind: 'person', actor: 'u' })).toBe(false);
    expect(resumePromotes({ kind: 'analysisInconclusive', gate: 'g', message: '' })).toBe(false);
    expect(resumePromotes({ kind: 'openPauseStep', stepIndex: 1, steps: 3 })).toBe(true);
    expect(resumePromotes(null)).toBe(true);
  });

  it('promotes one step, all of them with full, or past an overridden verdict without a step', () => {
    const atPause = deployment({
      phase: 'Paused',
      rollout: { ...initialRolloutState(0), stepIndex: 1 },
    });
    expect(promote(atPause, 5, 'u', { full: false, overridden: 0 }).patch.rollout?.stepIndex).toBe(
      2,
    );
    expect(promote(atPause, 5, 'u', { full: true, overridden: 0 }).patch.rollout?.full).toBe(true);
    const atWeight = deployment({ phase: 'Paused' });
    const past = promote(atWeight, 5, 'u', { full: false, overridden: 1 });
    expect(past.patch.rollout).toBeUndefined();
    expect(past.patch).toMatchObject({ phase: 'Progressing', cause: null, lastProgressAt: at(5) });
  });

  it('retries from the first step with conditions cleared', () => {
    const aborted = deployment({
      phase: 'Aborted',
      rollout: { ...initialRolloutState(0), stepIndex: 2, abortedAt: 3 },
      conditions: [{ at: at(2), cause: { kind: 'launchFailed', instanceId: 'i', error: 'x' } }],
    });
    const t = retry(aborted, 9, 'u');
    expect(t.patch).toMatchObject({
      phase: 'Progressing',
      conditions: [],
      rollout: { stepIndex: 0, abortedAt: null },
    });
  });

  it('tells a step or a switch in an event and saves a heartbeat quietly', () => {
    const d = deployment();
    expect(advance(d, { ...d.rollout!, stepIndex: 1 }, 7).events.map((e) => e.kind)).toEqual([
      'rollout.step',
    ]);
    expect(advance(d, { ...d.rollout!, switchedAt: 7 }, 7).events.map((e) => e.kind)).toEqual([
      'rollout.switched',
    ]);
    const beat = advance(d, { ...d.rollout!, lastSeenAt: 7 }, 7);
    expect([beat.events, beat.patch.lastProgressAt]).toEqual([[], undefined]);
  });

  it('appends conditions in order; succeeds and rolls back with finishedAt', () => {
    const first = {
      at: at(1),
      cause: { kind: 'smokeFailed', instanceId: 'a', message: 'm' },
    } as const;
    const second = {
      at: at(2),
      cause: { kind: 'crashLoop', instanceId: 'b', restarts: 5 },
    } as const;
    const once = deployment({ conditions: [first] });
    expect(recordCondition(once, second).patch.conditions).toEqual([first, second]);
    expect(succeed(deployment(), 4).patch).toMatchObject({ phase: 'Succeeded', finishedAt: at(4) });
    const back = rolledBack(deployment({ phase: 'RollingBack', reason: 'r' }), 4);
    expect(back.patch).toMatchObject({ phase: 'RolledBack', reason: 'r', finishedAt: at(4) });
  });

  it('ends a rollback a new deployment supersedes as Failed, keeping why it rolled back', () => {
    const cause = { kind: 'crashLoop', instanceId: 'i1', restarts: 5 } as const;
    const rolling = deployment({ rollout: null });
    const back = abort(rolling, cause, 10, 'controller');
    const rollingBack = { ...rolling, ...back.patch } as Deployment;
    const ended = supersede(rollingBack, { id: 'd3', version: 'v3' }, 20, 'user:ana');
    expect(ended.patch).toEqual({
      phase: 'Failed',
      reason:
        'instance i1 is crash-looping (5 restarts); superseded by d3 (v3) before its rollback finished',
      cause: { phase: 'Failed', abort: cause },
      finishedAt: at(20),
    });
    expect(ended.events).toEqual([
      expect.objectContaining({
        kind: 'deployment.failed',
        actor: 'user:ana',
        payload: expect.objectContaining({ phase: 'Failed', supersededBy: 'd3' }),
      }),
    ]);
    expect(() => supersede(rolling, { id: 'd3', version: 'v3' }, 20, 'user:ana')).toThrow(
      /it is Progressing, not RollingBack/,
    );
  });
});
