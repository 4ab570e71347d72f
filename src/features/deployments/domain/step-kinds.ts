import type { CanaryStep } from './strategy-spec.js';

/**
 * What the controller needs to know about a step kind, declared once: whether the rollout waits
 * on time (or on a gate) there rather than on instances, and which gate a step opens. The gate
 * registry builds on this; the controller never names a step kind itself.
 */
export interface StepKindDeclaration {
  /** The rollout stands at the step until time passes or its gate ends, not until instances are ready. */
  readonly waitsOnTime: boolean;
  /** The name of the gate the step at `index` (0-based) opens, if it opens one. */
  readonly gateName?: (index: number) => string;
}

export const stepKinds: { readonly [K in CanaryStep['kind']]: StepKindDeclaration } = {
  setWeight: { waitsOnTime: false },
  setCanaryScale: { waitsOnTime: false },
  setHeaderRoute: { waitsOnTime: false },
  setMirror: { waitsOnTime: false },
  pause: { waitsOnTime: true },
  analysis: { waitsOnTime: true, gateName: (index) => `step-${index + 1}` },
  judge: { waitsOnTime: true, gateName: (index) => `judge-${index + 1}` },
};

/** The gate the step opens (`step-3`, `judge-4`), or undefined for a step without one. */
export function stepGateName(step: CanaryStep | undefined, index: number): string | undefined {
  return step ? stepKinds[step.kind].gateName?.(index) : undefined;
}

/** Whether the rollout waits on time at `step` (a pause, an analysis or judge window). */
export function stepWaitsOnTime(step: CanaryStep | undefined): boolean {
  return step ? stepKinds[step.kind].waitsOnTime : false;
}
