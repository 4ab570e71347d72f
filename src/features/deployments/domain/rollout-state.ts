/**
 * Progress of a canary or blue-green rollout, persisted with its deployment at every change so
 * a restarted controller carries on from the same step with the same traffic split.
 */
export interface RolloutState {
  /** Index of the step being carried out; `steps.length` once all are done. */
  readonly stepIndex: number;
  /** Epoch ms the current step began (for timed pauses). */
  readonly stepStartedAt: number;
  /** `ferry rollout promote --full`: skip the remaining steps. */
  readonly full: boolean;
  /** Epoch ms of an abort: traffic left the new version then, its instances go after a delay. */
  readonly abortedAt: number | null;
  /** Blue-green: epoch ms all traffic switched to the new set. */
  readonly switchedAt: number | null;
  /**
   * Epoch ms this attempt began (the deployment, or its last `retry`): analysis runs started
   * before it belong to an earlier attempt. Absent in states written before analysis existed.
   */
  readonly attemptStartedAt?: number;
  /**
   * Epoch ms a controller last saw this rollout at a step that waits on time (a heartbeat, see
   * `countUpTime`): what lies between it and a restarted controller's first look was time Ferry
   * was down, which a timed pause does not count. Absent until the first heartbeat.
   */
  readonly lastSeenAt?: number;
}

export function initialRolloutState(now: number): RolloutState {
  return {
    stepIndex: 0,
    stepStartedAt: now,
    full: false,
    abortedAt: null,
    switchedAt: null,
    attemptStartedAt: now,
  };
}
