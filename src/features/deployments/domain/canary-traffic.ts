import type { CanaryStep, RouteMatch } from './strategy-spec.js';

/** Where traffic goes during a canary: what the steps done so far add up to. */
export interface CanaryTraffic {
  /** Percent of requests for the canary, 0–100. */
  readonly weight: number;
  /** Requests matching any of these go to the canary whatever the weight. */
  readonly matches: readonly RouteMatch[];
  /** Percent of requests copied to the canary. */
  readonly mirrorPercent: number;
  /** Percent of requests for the baseline; absent without one. */
  readonly baselineWeight?: number;
}

export const noCanaryTraffic: CanaryTraffic = { weight: 0, matches: [], mirrorPercent: 0 };

/** Folds the first `count` steps into the traffic split they leave behind. */
export function trafficAfter(steps: readonly CanaryStep[], count: number): CanaryTraffic {
  let traffic = noCanaryTraffic;
  for (const step of steps.slice(0, count)) {
    if (step.kind === 'setWeight') traffic = { ...traffic, weight: step.weight };
    if (step.kind === 'setHeaderRoute') traffic = { ...traffic, matches: step.match };
    if (step.kind === 'setMirror') traffic = { ...traffic, mirrorPercent: step.percentage };
  }
  return traffic;
}

/**
 * How many canary instances the first `count` steps ask for: an explicit `setCanaryScale`, or
 * by default the share of `replicas` matching the weight (rounded up). A canary that receives
 * header-routed or mirrored requests gets at least one instance.
 */
export function canaryScaleAfter(
  steps: readonly CanaryStep[],
  count: number,
  replicas: number,
): number {
  const traffic = trafficAfter(steps, count);
  let explicit: number | undefined;
  for (const step of steps.slice(0, count)) {
    if (step.kind !== 'setCanaryScale') continue;
    const { scale } = step;
    if ('replicas' in scale) explicit = scale.replicas;
    else if ('weight' in scale) explicit = Math.ceil((replicas * scale.weight) / 100);
    else explicit = undefined;
  }
  const byWeight = Math.ceil((replicas * traffic.weight) / 100);
  const needed = explicit ?? byWeight;
  const touched = traffic.matches.length > 0 || traffic.mirrorPercent > 0;
  return Math.max(needed, touched && needed === 0 ? 1 : 0);
}
