import type { RollingConfig } from './strategy-spec.js';

/** What the planner needs to know of one instance. */
export interface PlannedInstance {
  readonly id: string;
  /** `ready` serves traffic; `pending` is starting, unready or backing off; `stopping` is leaving. */
  readonly state: 'ready' | 'pending' | 'stopping';
}

export interface RollingInput {
  readonly replicas: number;
  readonly rolling: Pick<RollingConfig, 'maxSurge' | 'maxUnavailable'>;
  /** Instances running the target artifact. */
  readonly target: readonly PlannedInstance[];
  /** Instances running anything else: they all have to go. */
  readonly others: readonly PlannedInstance[];
}

export interface RollingPlan {
  /** New target instances to start now. */
  readonly start: number;
  /** Instances to take out of rotation and stop now. */
  readonly stop: readonly string[];
  /** True when the target runs `replicas` ready instances and nothing else is left. */
  readonly done: boolean;
}

/** Resolves `25%` of `replicas` (rounded up for surge, down for unavailable) or a count. */
export function resolveBudget(
  value: number | `${number}%`,
  replicas: number,
  round: 'up' | 'down',
): number {
  if (typeof value === 'number') return value;
  const share = (Number(value.slice(0, -1)) / 100) * replicas;
  return round === 'up' ? Math.ceil(share) : Math.floor(share);
}

/**
 * One step of a rolling update, computed from what runs now. Pure and idempotent: the controller
 * calls it again after every change, so a crash between two steps loses nothing.
 *
 * Keeps at least `replicas - maxUnavailable` ready instances and at most
 * `replicas + maxSurge` live ones (stopping ones excluded), like a Kubernetes Deployment.
 */
export function planRollingStep(input: RollingInput): RollingPlan {
  const { replicas } = input;
  const maxSurge = resolveBudget(input.rolling.maxSurge, replicas, 'up');
  let maxUnavailable = resolveBudget(input.rolling.maxUnavailable, replicas, 'down');
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;

  const live = (list: readonly PlannedInstance[]) => list.filter((i) => i.state !== 'stopping');
  const target = live(input.target);
  const others = live(input.others);
  const stop: string[] = [];

  // Surplus target instances (replicas lowered): the ones not ready go first.
  const surplus = target.length - replicas;
  const byReadiness = [...target].sort((a, b) => rank(a) - rank(b));
  const keptTarget = surplus > 0 ? byReadiness.slice(0, replicas) : target;
  if (surplus > 0) stop.push(...byReadiness.slice(replicas).map((i) => i.id));

  // Instances of other versions that serve no traffic cost nothing to stop.
  const othersReady = others.filter((i) => i.state === 'ready');
  stop.push(...others.filter((i) => i.state !== 'ready').map((i) => i.id));

  const targetReady = keptTarget.filter((i) => i.state === 'ready').length;
  const available = targetReady + othersReady.length;
  const canStop = Math.max(0, available - (replicas - maxUnavailable));
  stop.push(...othersReady.slice(0, Math.min(canStop, othersReady.length)).map((i) => i.id));

  const remainingOthers = othersReady.length - Math.min(canStop, othersReady.length);
  const total = keptTarget.length + remainingOthers;
  const start = Math.max(0, Math.min(replicas - keptTarget.length, replicas + maxSurge - total));

  const done =
    targetReady === replicas && input.target.length === replicas && input.others.length === 0;
  return { start, stop, done };
}

function rank(instance: PlannedInstance): number {
  return instance.state === 'ready' ? 0 : 1;
}
