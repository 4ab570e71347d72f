import type { MeasuredTrack, ProviderSpec } from './domain/provider-spec.js';

/** The specs are domain types (config maps into them); re-exported for the providers' imports. */
export {
  builtinMetrics,
  measuredTracks,
  type BuiltinMetric,
  type MeasuredTrack,
  type ProviderKind,
  type ProviderSpec,
  type SpecOf,
} from './domain/provider-spec.js';

/** Who is being measured, and when. */
export interface MeasureContext {
  readonly service: string;
  readonly environment: string;
  /** The track the analysis is about; a builtin spec may name another one. */
  readonly track: MeasuredTrack;
  /** The version expected on that track: figures of any other version are not this one's. */
  readonly version: string;
  /** Versions expected on other tracks, for a builtin spec that names one (`track: stable`). */
  readonly versions?: Readonly<Partial<Record<MeasuredTrack, string>>>;
  /** Which listener of the service: blue-green's pre-promotion analysis reads `preview`. Default `main`. */
  readonly listener?: 'main' | 'preview';
  /** Aborted when the measurement is no longer wanted (the rollout moved on, Ferry stops). */
  readonly signal: AbortSignal;
  /** Epoch ms the measurement is taken at. */
  readonly now: number;
  /**
   * The metric needs this many samples to be judged. A provider that measures what happened
   * since its previous measurement keeps counting from that one when it got fewer, so the
   * measurement taken again covers all the traffic since.
   */
  readonly minSampleSize?: number;
}

/** What a provider measured; the judge sees `value` as `result`. */
export interface ProviderResult {
  /** A number, a string, a JSON object or array, or `null` for "no data". */
  readonly value: unknown;
  /** How many observations the value summarises, when the provider knows. */
  readonly sampleSize?: number;
}

/**
 * Takes one measurement. Rejects with a `ProviderError` when no value could be obtained (it
 * becomes an Error measurement), and with `ctx.signal.reason` when the caller aborted: then
 * nothing was measured and nothing should be recorded.
 *
 * @example await providers.measure({ kind: 'builtin', metric: 'error_rate' }, ctx)
 * // { value: 0.004, sampleSize: 1250 }
 */
export interface MetricProvider<S extends ProviderSpec = ProviderSpec> {
  measure(spec: S, ctx: MeasureContext): Promise<ProviderResult>;
}

/**
 * A provider could not produce a value. The message says what failed, for the analysis run's
 * record: `prometheus at http://127.0.0.1:9090: connection refused`, `timed out after 2s`.
 */
export class ProviderError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ProviderError';
  }
}
