import type { ProviderSpec } from './provider-spec.js';

/*
 * What a service's spec says about analysis: templates, references to them and the judge. The
 * domain owns these shapes; the config loader maps ferry.yaml into them.
 */

/** A list of analysis templates run together; every name is defined in the service's `analysis`. */
export interface AnalysisRef {
  /** Never empty. */
  readonly templates: readonly string[];
}

export interface BackgroundAnalysis extends AnalysisRef {
  /** 0-based index of the step the analysis starts at; always an existing step. Default 0. */
  readonly startingStep: number;
}

/** Compares the canary with the baseline over a `judge` step's window and scores it 0–100. */
export interface JudgeConfig {
  /** A score at or above this passes. Default 95. */
  readonly passThreshold: number;
  /** A score at or above this (and below `passThreshold`) is marginal; below it fails. Default 75. */
  readonly marginalThreshold: number;
  /** Never empty; names are unique. */
  readonly metrics: readonly JudgeMetric[];
}

export interface JudgeMetric {
  readonly name: string;
  readonly kind: 'latency' | 'errorRate';
  /** Which change is bad. Default `increase`. */
  readonly direction: 'increase' | 'decrease' | 'either';
  /** A critical metric that fails fails the whole judgement. Default false. */
  readonly critical: boolean;
  /** Smallest change that matters: relative for latency (0.1 = 10%), absolute for error rate. */
  readonly effectSizeTolerance: number;
  readonly minSampleSize?: number;
}

/**
 * A named set of metrics measured every `intervalMs`. Limits count measurements of each metric:
 * one more than `failureLimit` failures fails the run.
 */
export interface AnalysisTemplate {
  /** Default 10s. */
  readonly intervalMs: number;
  /** Measurements per metric; null measures until the step or rollout ends. */
  readonly count: number | null;
  /** Default 0. */
  readonly initialDelayMs: number;
  /** Default 0. */
  readonly failureLimit: number;
  /** Default 0. */
  readonly inconclusiveLimit: number;
  /** Errors in a row (the provider failed) tolerated. Default 4. */
  readonly consecutiveErrorLimit: number;
  /** Never empty; names are unique within the template. */
  readonly metrics: readonly AnalysisMetric[];
}

/**
 * One metric of a template: where its value comes from and what makes it pass. At least one of
 * `min`, `max`, `successCondition` and `failureCondition` is set; conditions parse.
 */
export interface AnalysisMetric {
  readonly name: string;
  readonly provider: ProviderSpec;
  readonly min?: number;
  readonly max?: number;
  /** Expression over `result`, e.g. `result < 0.01`. */
  readonly successCondition?: string;
  readonly failureCondition?: string;
  readonly minSampleSize?: number;
  /** Measured and shown, but never fails the run. Default false. */
  readonly dryRun: boolean;
}

export interface InconclusiveConfig {
  /** Act after this long; null waits for a person (`ferry rollout promote` or `abort`). */
  readonly timeoutMs: number | null;
  /** Default abort. */
  readonly action: 'abort' | 'promote';
}
