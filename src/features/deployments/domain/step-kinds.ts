import type { CanaryStep } from './strategy-spec.js';
import type { ServiceConfig } from './service-spec.js';
import type { MeasuredTrack } from '../../analysis/domain/provider-spec.js';
import type { GateKind } from '../../gates/domain/gate-kinds.js';
import type { Gate, GateOf } from './analysis-gates.js';

/** What a step's gate is built from: the service and the versions of the rollout. */
export interface StepGateContext {
  readonly spec: ServiceConfig;
  /** The version being rolled out. */
  readonly version: string;
  /** The version it replaces; null for a first deployment. */
  readonly stableVersion: string | null;
  /** The version expected on each measured track. */
  readonly versions: Readonly<Partial<Record<MeasuredTrack, string>>>;
}

/** The gate a step kind opens: its kind (which selects the executor), its name, how it is built. */
export interface StepGateDeclaration<S extends CanaryStep, K extends GateKind = GateKind> {
  readonly kind: K;
  /** The name of the gate the step at `index` (0-based) opens: `step-3`, `judge-4`. */
  readonly name: (index: number) => string;
  /** The gate the step opens now, or undefined when it cannot run (no baseline to judge against). */
  readonly open: (step: S, name: string, at: StepGateContext) => GateOf<K> | undefined;
}

/**
 * What the controller and the planner need to know about a step kind, declared once: whether the
 * rollout waits on time (or on a gate) there rather than on instances, whether the planner stands
 * at it until its gate passes, and which gate it opens. Neither the controller nor the planner
 * names a step kind itself.
 */
export interface StepKindDeclaration<S extends CanaryStep = CanaryStep> {
  /** The rollout stands at the step until time passes or its gate ends, not until instances are ready. */
  readonly waitsOnTime: boolean;
  /** The planner stands at the step until its gate passes; the controller then moves it on. */
  readonly blocks: boolean;
  readonly gate?: StepGateDeclaration<S>;
}

type StepOf<K extends CanaryStep['kind']> = Extract<CanaryStep, { readonly kind: K }>;

/**
 * Every step kind, declared once. A `pause` opens no gate: the planner pauses an open-ended one
 * for a person itself (`ferry rollout promote` moves it on), so routing it through the `manual`
 * gate would change how the controller advances it; the manual gate is there for a step that
 * asks for one.
 */
export const stepKinds: { readonly [K in CanaryStep['kind']]: StepKindDeclaration<StepOf<K>> } = {
  setWeight: { waitsOnTime: false, blocks: false },
  setCanaryScale: { waitsOnTime: false, blocks: false },
  setHeaderRoute: { waitsOnTime: false, blocks: false },
  setMirror: { waitsOnTime: false, blocks: false },
  pause: { waitsOnTime: true, blocks: false },
  analysis: {
    waitsOnTime: true,
    blocks: true,
    gate: {
      kind: 'analysis',
      name: (index) => `step-${index + 1}`,
      open: (step, name, { spec, version, versions }) => ({
        kind: 'analysis',
        name,
        templates: step.templates,
        track: 'canary',
        version,
        versions,
        listener: 'main',
        durationMs: step.durationMs,
        // A timed step waits for traffic until its end; its verdict is taken then.
        sampleWaitMs: step.durationMs ?? spec.inconclusive.timeoutMs,
      }),
    },
  },
  judge: {
    waitsOnTime: true,
    blocks: true,
    gate: {
      kind: 'judge',
      name: (index) => `judge-${index + 1}`,
      open: (step, name, { spec, version, stableVersion }) => {
        const judge = spec.strategy.kind === 'canary' ? spec.strategy.canary.judge : undefined;
        // Without a stable version there is no baseline to compare with.
        if (!judge || stableVersion === null) return undefined;
        return {
          kind: 'judge',
          name,
          judge,
          canaryVersion: version,
          baselineVersion: stableVersion,
          durationMs: step.durationMs,
          intervalMs: step.intervalMs,
        };
      },
    },
  },
  approval: {
    waitsOnTime: true,
    blocks: true,
    gate: {
      kind: 'approval',
      name: (index) => `approval-${index + 1}`,
      open: (step, name) => ({ kind: 'approval', name, requirement: step.requirement }),
    },
  },
};

/** The declaration of `step`'s kind, typed for that step. */
function declarationOf(step: CanaryStep): StepKindDeclaration {
  // The mapped type pairs each kind with its own step type; TypeScript cannot follow that pairing.
  return stepKinds[step.kind] as StepKindDeclaration;
}

/** The gate the step opens (`step-3`, `judge-4`), or undefined for a step without one. */
export function stepGateName(step: CanaryStep | undefined, index: number): string | undefined {
  return step ? declarationOf(step).gate?.name(index) : undefined;
}

/** Whether the rollout waits on time at `step` (a pause, an analysis or judge window). */
export function stepWaitsOnTime(step: CanaryStep | undefined): boolean {
  return step ? declarationOf(step).waitsOnTime : false;
}

/** Whether the planner stands at `step` until its gate passes (an analysis or judge step). */
export function stepBlocks(step: CanaryStep): boolean {
  return declarationOf(step).blocks;
}

/** The gate the step at `index` opens now, built as its kind declares; undefined for none. */
export function openStepGate(
  step: CanaryStep,
  index: number,
  at: StepGateContext,
): Gate | undefined {
  const gate = declarationOf(step).gate;
  return gate?.open(step, gate.name(index), at);
}
