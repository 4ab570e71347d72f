import { formatDuration } from '../../../config/duration.js';

/**
 * Why a deployment is where it is, as data: what paused it, what aborted or failed it. The
 * deployment's `reason` is the sentence `describeCause` makes of it, for people; code acts on
 * the cause's `kind`, never on the wording.
 */
export type PauseCause =
  /** `ferry rollout pause`: only `resume` (or `promote`) goes on. */
  | { readonly kind: 'person'; readonly actor: string }
  /** An analysis verdict was Inconclusive: only an explicit `promote` goes past it. */
  | {
      readonly kind: 'analysisInconclusive';
      readonly gate: string;
      readonly message: string;
    }
  /** A canary's open-ended `pause: {}` step (0-based `stepIndex` of `steps`). */
  | { readonly kind: 'openPauseStep'; readonly stepIndex: number; readonly steps: number }
  /** A blue-green's open-ended pre-promotion pause. */
  | { readonly kind: 'beforePromotion'; readonly stepIndex: number }
  /** A blue-green preview is ready and `autoPromotion` is off. */
  | { readonly kind: 'previewReady' }
  /**
   * The risk policy asked for people's approval before the deployment starts anything: only
   * the approval (`ferry approvals approve`) or its expiry with `onExpiry: proceed` goes on.
   */
  | {
      readonly kind: 'awaitingApproval';
      readonly approvalId: string;
      readonly approvals: number;
      readonly expiresAt: string;
    };

export type AbortCause =
  | { readonly kind: 'person'; readonly actor: string }
  | {
      readonly kind: 'analysisFailed';
      readonly gate: string;
      /** The run's phase: `Failed` or `Error`. */
      readonly phase: string;
      readonly message: string;
    }
  | {
      readonly kind: 'inconclusiveTimeout';
      readonly gate: string;
      readonly timeoutMs: number;
    }
  | { readonly kind: 'routeUnavailable'; readonly message: string }
  | {
      readonly kind: 'progressDeadline';
      readonly deadlineMs: number;
      readonly ready: number;
      readonly replicas: number;
      /** The last readiness probe result of each new instance not ready: `id: GET /healthz → 500`. */
      readonly probes: readonly string[];
    }
  | { readonly kind: 'launchFailed'; readonly instanceId: string; readonly error: string }
  | { readonly kind: 'crashLoop'; readonly instanceId: string; readonly restarts: number }
  | { readonly kind: 'smokeFailed'; readonly instanceId: string; readonly message: string }
  /** A person rejected the approval the deployment waited on. */
  | {
      readonly kind: 'approvalRejected';
      readonly approvalId: string;
      readonly actor: string;
      readonly comment: string;
    }
  /** Nobody decided before the approval expired, and its `onExpiry` is `reject`. */
  | { readonly kind: 'approvalExpired'; readonly approvalId: string; readonly expiryMs: number }
  /**
   * The release's expand migrations did not pass (`message`: the file, and the lock or blocking
   * query PostgreSQL named); nothing of the new version was started.
   */
  | { readonly kind: 'migrationFailed'; readonly gate: string; readonly message: string };

/** The cause stored with a deployment: it says which phase it explains. */
export type PhaseCause =
  | ({ readonly phase: 'Paused' } & { readonly pause: PauseCause })
  | ({ readonly phase: 'Aborted' | 'RollingBack' | 'Failed' } & { readonly abort: AbortCause });

const promoteHint = 'run "ferry rollout promote" to go on or "ferry rollout abort" to roll back';

/** The sentence a person reads for a pause. */
export function describePause(cause: PauseCause): string {
  switch (cause.kind) {
    case 'person':
      return `paused by ${cause.actor}`;
    case 'analysisInconclusive':
      return `analysis "${cause.gate}" is Inconclusive (${cause.message}): ${promoteHint}`;
    case 'openPauseStep':
      return `paused at step ${cause.stepIndex + 1}/${cause.steps}: run "ferry rollout promote" to go on`;
    case 'beforePromotion':
      return `paused before promotion (step ${cause.stepIndex + 1}): run "ferry rollout promote"`;
    case 'previewReady':
      return 'preview ready: run "ferry rollout promote" to switch traffic';
    case 'awaitingApproval':
      return `waiting for approval ${cause.approvalId} (${cause.approvals} needed, expires ${cause.expiresAt}): run "ferry approvals approve ${cause.approvalId}"`;
  }
}

/** The sentence a person reads for an abort, a rollback or a failure. */
export function describeAbort(cause: AbortCause): string {
  switch (cause.kind) {
    case 'person':
      return `aborted by ${cause.actor}`;
    case 'analysisFailed':
      return `analysis "${cause.gate}" ${cause.phase}: ${cause.message}`;
    case 'inconclusiveTimeout':
      return (
        `analysis "${cause.gate}" stayed Inconclusive for ${formatDuration(cause.timeoutMs)}: ` +
        'aborted (inconclusive.action: abort)'
      );
    case 'routeUnavailable':
      return cause.message;
    case 'progressDeadline':
      return (
        `no progress within the progress deadline (${cause.deadlineMs}ms): ` +
        `${cause.ready}/${cause.replicas} new instances ready` +
        (cause.probes.length > 0 ? ` (readiness probe: ${cause.probes.join('; ')})` : '')
      );
    case 'launchFailed':
      return `instance ${cause.instanceId} failed to start: ${cause.error}`;
    case 'crashLoop':
      return `instance ${cause.instanceId} is crash-looping (${cause.restarts} restarts)`;
    case 'smokeFailed':
      return `instance ${cause.instanceId} failed its smoke checks: ${cause.message}`;
    case 'approvalRejected':
      return `approval ${cause.approvalId} rejected by ${cause.actor}${cause.comment ? `: ${cause.comment}` : ''}`;
    case 'approvalExpired':
      return `approval ${cause.approvalId} expired after ${formatDuration(cause.expiryMs)} with no decision (onExpiry: reject)`;
    case 'migrationFailed':
      return `expand migrations failed, the previous version keeps serving: ${cause.message}`;
  }
}

/** Whether `resume` on a deployment paused for this cause promotes its current step. */
export function resumePromotes(cause: PauseCause | null): boolean {
  return cause?.kind !== 'person' && cause?.kind !== 'analysisInconclusive';
}

/** The approval a deployment waits on before it starts, if it does. */
export function awaitedApproval(d: {
  readonly phase: string;
  readonly cause?: PhaseCause;
}): string | undefined {
  const cause = d.phase === 'Paused' && d.cause?.phase === 'Paused' ? d.cause.pause : undefined;
  return cause?.kind === 'awaitingApproval' ? cause.approvalId : undefined;
}
