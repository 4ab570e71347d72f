import type { NewEvent } from '../../events/event.js';
import type { Condition } from './conditions.js';
import type { Deployment, DeploymentPhase } from './deployment.js';
import {
  describeAbort,
  describePause,
  type AbortCause,
  type PauseCause,
  type PhaseCause,
} from './phase-cause.js';
import { promote as promoteState } from './promote.js';
import { initialRolloutState, type RolloutState } from './rollout-state.js';
import { rolloutSteps } from './rollout-steps.js';

/**
 * Every change of a deployment's phase or progress, as pure functions of the deployment and the
 * time: each returns the fields to set and the events that tell it, and the one writer
 * (`DeploymentWriter`) persists both together. The controller and the API's rollout commands go
 * through the same transitions, so a phase changes the same way whoever changes it.
 */

/** The fields of a deployment a transition sets (`updatedAt` is the writer's). */
export interface DeploymentPatch {
  readonly phase?: DeploymentPhase;
  readonly reason?: string | null;
  readonly cause?: PhaseCause | null;
  readonly conditions?: readonly Condition[];
  readonly lastProgressAt?: string;
  readonly finishedAt?: string | null;
  readonly rollout?: RolloutState;
}

export interface Transition {
  readonly patch: DeploymentPatch;
  readonly events: readonly NewEvent[];
}

/** What a person may do to a rollout, and the phases each needs. */
export const rolloutActionPhases = {
  promote: ['Progressing', 'Paused'],
  abort: ['Progressing', 'Paused'],
  retry: ['Aborted'],
  pause: ['Progressing'],
  resume: ['Paused'],
} as const satisfies Record<string, readonly DeploymentPhase[]>;

export type RolloutAction = keyof typeof rolloutActionPhases;

/** A transition asked of a deployment in a phase it does not leave that way. */
export class TransitionRefused extends Error {
  constructor(
    readonly action: RolloutAction,
    readonly deployment: Deployment,
    readonly expected: readonly DeploymentPhase[],
  ) {
    super(`cannot ${action} ${deployment.id}: it is ${deployment.phase}`);
  }
}

/** Throws `TransitionRefused` unless `d` is in a phase `action` applies to. */
export function assertAllowed(d: Deployment, action: RolloutAction): void {
  const expected: readonly DeploymentPhase[] = rolloutActionPhases[action];
  if (!expected.includes(d.phase)) throw new TransitionRefused(action, d, expected);
}

const iso = (now: number) => new Date(now).toISOString();

function told(
  d: Deployment,
  kind: string,
  actor: string,
  extra: Record<string, unknown>,
): NewEvent {
  return {
    actor,
    kind,
    subject: `deployment/${d.id}`,
    payload: { service: d.service, environment: d.environment, version: d.version, ...extra },
  };
}

/** The rollout stops for `cause` (a person, a verdict, an open-ended step). */
export function pause(d: Deployment, cause: PauseCause, actor: string): Transition {
  if (cause.kind === 'person') assertAllowed(d, 'pause');
  const reason = describePause(cause);
  return {
    patch: { phase: 'Paused', reason, cause: { phase: 'Paused', pause: cause } },
    events: [told(d, 'rollout.paused', actor, { phase: 'Paused', reason })],
  };
}

/** A person's pause ends; the rollout goes on from where it stood. */
export function resume(d: Deployment, now: number, actor: string): Transition {
  assertAllowed(d, 'resume');
  return {
    patch: { phase: 'Progressing', reason: null, cause: null, lastProgressAt: iso(now) },
    events: [told(d, 'rollout.resumed', actor, { phase: 'Progressing', reason: null })],
  };
}

/**
 * `ferry rollout promote`: past an Inconclusive verdict a person acknowledged (`overridden` runs)
 * the rollout goes on from where it stands; otherwise the current step counts as done (`full`:
 * every remaining step).
 */
export function promote(
  d: Deployment,
  now: number,
  actor: string,
  options: { readonly full: boolean; readonly overridden: number },
): Transition {
  assertAllowed(d, 'promote');
  const going = {
    phase: 'Progressing',
    reason: null,
    cause: null,
    lastProgressAt: iso(now),
  } as const;
  if (options.overridden > 0 && !options.full && !atOpenPause(d)) {
    return {
      patch: going,
      events: [told(d, 'rollout.promoted', actor, { full: false, overridden: options.overridden })],
    };
  }
  if (!d.rollout) throw new TransitionRefused('promote', d, []);
  const rollout = promoteState(d.rollout, d.spec.strategy, options.full, now);
  return {
    patch: { ...going, rollout },
    events: [
      told(d, 'rollout.promoted', actor, { full: options.full, stepIndex: rollout.stepIndex }),
    ],
  };
}

/**
 * The approval a deployment waited on passed (approved, or expired with `onExpiry: proceed`):
 * it starts now, a canary or blue-green from its first step.
 */
export function approvalGranted(
  d: Deployment,
  now: number,
  actor: string,
  approval: { readonly id: string; readonly status: string },
): Transition {
  const stepped = d.spec.strategy.kind !== 'rolling' && d.previousId !== null;
  return {
    patch: {
      phase: 'Progressing',
      reason: null,
      cause: null,
      lastProgressAt: iso(now),
      ...(stepped ? { rollout: initialRolloutState(now) } : {}),
    },
    events: [
      told(d, 'rollout.resumed', actor, {
        phase: 'Progressing',
        reason: null,
        approval: { id: approval.id, status: approval.status },
      }),
    ],
  };
}

/** An Inconclusive verdict waited out `inconclusive.timeout` with `action: promote`. */
export function resumeAfterTimeout(d: Deployment, now: number): Transition {
  return {
    patch: { phase: 'Progressing', reason: null, cause: null, lastProgressAt: iso(now) },
    events: [told(d, 'rollout.resumed', 'controller', { phase: 'Progressing', reason: null })],
  };
}

/** Whether the deployment is in a phase an abort ends. */
export function abortable(d: Deployment): boolean {
  return d.phase === 'Progressing' || d.phase === 'Paused';
}

/**
 * Ends a rollout that failed or that a person aborted. A canary or blue-green sends all traffic
 * back to stable at once (`Aborted`, retryable); a rolling update rolls back to the previous
 * deployment (`RollingBack`); a first deployment stops (`Failed`).
 */
export function abort(d: Deployment, cause: AbortCause, now: number, actor: string): Transition {
  assertAllowed(d, 'abort');
  const reason = describeAbort(cause);
  if (d.rollout && d.previousId) {
    return {
      patch: {
        phase: 'Aborted',
        reason,
        cause: { phase: 'Aborted', abort: cause },
        rollout: { ...d.rollout, abortedAt: now },
      },
      events: [told(d, 'deployment.aborted', actor, { phase: 'Aborted', reason })],
    };
  }
  if (d.previousId) {
    // The rollback's own progress counts from now (a rollback that stalls is told).
    return {
      patch: {
        phase: 'RollingBack',
        reason,
        cause: { phase: 'RollingBack', abort: cause },
        lastProgressAt: iso(now),
      },
      events: [told(d, 'deployment.rolling_back', actor, { phase: 'RollingBack', reason })],
    };
  }
  return finish(d, 'Failed', reason, now, { phase: 'Failed', abort: cause });
}

/** `ferry rollout retry`: an aborted rollout starts again from its first step. */
export function retry(d: Deployment, now: number, actor: string): Transition {
  assertAllowed(d, 'retry');
  return {
    patch: {
      phase: 'Progressing',
      reason: null,
      cause: null,
      conditions: [],
      rollout: initialRolloutState(now),
      lastProgressAt: iso(now),
    },
    events: [told(d, 'rollout.retried', actor, {})],
  };
}

/** The new version serves all traffic with every gate passed. */
export function succeed(d: Deployment, now: number): Transition {
  return finish(d, 'Succeeded', null, now, null);
}

/** A rolling update's rollback is done: the previous version runs again. */
export function rolledBack(d: Deployment, now: number): Transition {
  return finish(d, 'RolledBack', d.reason, now, d.cause ?? null);
}

/**
 * A deploy or rollback asked while a rolling update rolls back (its previous version may never
 * become ready) replaces it: the rollback ends `Failed`, keeping why it began, and the new
 * deployment takes over whatever runs. Without this a rollback that cannot finish would refuse
 * every deploy for ever.
 */
export function supersede(
  d: Deployment,
  by: { readonly id: string; readonly version: string },
  now: number,
  actor: string,
): Transition {
  if (d.phase !== 'RollingBack') {
    throw new Error(`cannot supersede ${d.id}: it is ${d.phase}, not RollingBack`);
  }
  const why = d.reason === null ? '' : `${d.reason}; `;
  const reason = `${why}superseded by ${by.id} (${by.version}) before its rollback finished`;
  const cause =
    d.cause?.phase === 'RollingBack' ? ({ phase: 'Failed', abort: d.cause.abort } as const) : null;
  return {
    patch: { phase: 'Failed', reason, cause, finishedAt: iso(now) },
    events: [told(d, 'deployment.failed', actor, { phase: 'Failed', reason, supersededBy: by.id })],
  };
}

function finish(
  d: Deployment,
  phase: 'Succeeded' | 'RolledBack' | 'Failed',
  reason: string | null,
  now: number,
  cause: PhaseCause | null,
): Transition {
  return {
    patch: { phase, reason, cause, finishedAt: iso(now) },
    events: [told(d, `deployment.${phase.toLowerCase()}`, 'controller', { phase, reason })],
  };
}

/**
 * The rollout's progress changed (the planner moved a step, switched, counted up time). A move
 * to another step or a switch is progress, told in an event; a heartbeat is saved quietly.
 */
export function advance(d: Deployment, state: RolloutState, now: number): Transition {
  const switched = state.switchedAt !== d.rollout?.switchedAt;
  const advanced = switched || state.stepIndex !== d.rollout?.stepIndex;
  if (!advanced) return { patch: { rollout: state }, events: [] };
  return {
    patch: { rollout: state, lastProgressAt: iso(now) },
    events: [
      told(d, switched ? 'rollout.switched' : 'rollout.step', 'controller', {
        stepIndex: state.stepIndex,
      }),
    ],
  };
}

/** Something moved (an instance became ready or stopped): the progress deadline starts over. */
export function progressed(now: number): Transition {
  return { patch: { lastProgressAt: iso(now) }, events: [] };
}

/** A callback saw an instance fail: recorded for the next reconcile to act on. */
export function recordCondition(d: Deployment, condition: Condition): Transition {
  return { patch: { conditions: [...(d.conditions ?? []), condition] }, events: [] };
}

/** The recorded conditions were acted on (or no longer matter). */
export function clearConditions(): Transition {
  return { patch: { conditions: [] }, events: [] };
}

/** Whether the rollout stands at a `pause: {}` step, which only `promote` ends. */
function atOpenPause(d: Deployment): boolean {
  const step = d.rollout ? rolloutSteps(d.spec.strategy)[d.rollout.stepIndex] : undefined;
  return step?.kind === 'pause' && step.durationMs === null;
}
