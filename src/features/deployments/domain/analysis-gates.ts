import type { ApprovalRequirement } from '../../approvals/domain/approval-requirement.js';
import type { JudgeConfig } from '../../analysis/domain/analysis-template.js';
import type { ServiceConfig } from './service-spec.js';
import type { MeasuredTrack } from '../../analysis/domain/provider-spec.js';
import type { GateKind } from '../../gates/domain/gate-kinds.js';
import type { RolloutState } from './rollout-state.js';
import { openStepGate } from './step-kinds.js';

/**
 * A run a rollout wants going now: the templates of an analysis step, background analysis,
 * blue-green's pre- or post-promotion analysis, a rolling update's post-deploy check (`analysis`),
 * the canary judge of a `judge` step (`judge`), or a wait for a person (`manual`). `name`
 * identifies it within one attempt of a deployment; `kind` selects its executor.
 */
export type Gate =
  | {
      readonly kind: 'analysis';
      readonly name: string;
      readonly templates: readonly string[];
      /** The track measured by default and the version expected on it. */
      readonly track: MeasuredTrack;
      readonly version: string;
      readonly versions: Readonly<Partial<Record<MeasuredTrack, string>>>;
      readonly listener: 'main' | 'preview';
      /** Ends the run (with a verdict from what was measured) this long after it started. */
      readonly durationMs: number | null;
      /**
       * Background analysis: it measures for as long as the rollout runs, so a verdict a person
       * overrode (`ferry rollout promote` past Inconclusive) is followed by a fresh run. A promote
       * acknowledges one verdict; it never switches analysis off.
       */
      readonly continuous?: boolean;
      /**
       * How long a metric may wait for `minSampleSize` samples before a measurement with fewer
       * counts as Inconclusive; null lets the runner choose (see `AnalysisRunner`).
       */
      readonly sampleWaitMs: number | null;
    }
  | {
      readonly kind: 'judge';
      readonly name: string;
      readonly judge: JudgeConfig;
      readonly canaryVersion: string;
      readonly baselineVersion: string;
      readonly durationMs: number;
      readonly intervalMs: number | null;
    }
  | {
      /** Passes only when a person promotes the rollout; time alone never ends it. */
      readonly kind: 'manual';
      readonly name: string;
    }
  | {
      /** An `approval` step: passes when people approve, fails when rejected or expired (reject). */
      readonly kind: 'approval';
      readonly name: string;
      readonly requirement: ApprovalRequirement;
    }
  | {
      /**
       * The release's pending expand migrations, run before the rollout starts anything (no
       * step opens it: `reconcileMigrations` does). Passes when every one is applied.
       */
      readonly kind: 'migration';
      readonly name: string;
    };

/** The gate of one kind. */
export type GateOf<K extends GateKind> = Extract<Gate, { readonly kind: K }>;

/** What decides which analysis a rollout runs now. */
export interface GateInput {
  readonly spec: ServiceConfig;
  /** The version being rolled out. */
  readonly version: string;
  /** The version it replaces; null for a first deployment. */
  readonly stableVersion: string | null;
  /** Canary and blue-green progress; null for a rolling update. */
  readonly state: RolloutState | null;
  /** Blue-green: the new set is all ready (pre-promotion analysis reads its preview). */
  readonly previewReady: boolean;
  /** Rolling: every instance runs the new version (the post-deploy check runs then). */
  readonly rolledOut: boolean;
}

/**
 * The analysis a rollout wants going at its current point:
 *
 * - canary: the gate the current step opens (`step-N` for `analysis`, `judge-N` for `judge`, as
 *   its kind declares in `stepKinds`), and `background` from `startingStep` to the end;
 * - blue-green: `pre-promotion` against the preview once it is ready, `post-promotion` after the
 *   switch while the old set is kept;
 * - rolling: `post-deploy` once every instance runs the new version.
 *
 * Step names are 1-based, as `ferry rollout get` shows steps.
 */
export function gatesOf(input: GateInput): Gate[] {
  const { spec, version, stableVersion, state } = input;
  const strategy = spec.strategy;
  const versions: Partial<Record<MeasuredTrack, string>> = { canary: version };
  if (stableVersion !== null) {
    versions.stable = stableVersion;
    versions.baseline = stableVersion;
  }
  const gates: Gate[] = [];
  if (strategy.kind === 'canary' && state) {
    const { steps, analysis } = strategy.canary;
    const index = state.stepIndex;
    const step = state.full ? undefined : steps[index];
    const stepGate = step && openStepGate(step, index, { spec, version, stableVersion, versions });
    if (stepGate) gates.push(stepGate);
    if (analysis && index >= analysis.startingStep) {
      gates.push({
        kind: 'analysis',
        name: 'background',
        templates: analysis.templates,
        track: 'canary',
        version,
        versions,
        listener: 'main',
        durationMs: null,
        continuous: true,
        sampleWaitMs: spec.inconclusive.timeoutMs,
      });
    }
  }
  if (strategy.kind === 'blueGreen' && state) {
    const { prePromotionAnalysis: pre, postPromotionAnalysis: post } = strategy.blueGreen;
    const previewed = { stable: version };
    if (state.switchedAt === null && pre && input.previewReady) {
      gates.push({
        kind: 'analysis',
        name: 'pre-promotion',
        templates: pre.templates,
        track: 'stable',
        version,
        versions: previewed,
        listener: 'preview',
        durationMs: null,
        sampleWaitMs: spec.inconclusive.timeoutMs,
      });
    }
    if (state.switchedAt !== null && post) {
      gates.push({
        kind: 'analysis',
        name: 'post-promotion',
        templates: post.templates,
        track: 'stable',
        version,
        versions: previewed,
        listener: 'main',
        durationMs: null,
        sampleWaitMs: spec.inconclusive.timeoutMs,
      });
    }
  }
  if (strategy.kind === 'rolling' && strategy.rolling.postDeployAnalysis && input.rolledOut) {
    gates.push({
      kind: 'analysis',
      name: 'post-deploy',
      templates: strategy.rolling.postDeployAnalysis.templates,
      track: 'stable',
      version,
      versions: { stable: version },
      listener: 'main',
      durationMs: null,
      sampleWaitMs: spec.inconclusive.timeoutMs,
    });
  }
  return gates;
}
