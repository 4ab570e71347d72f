/**
 * Phases a single measurement is judged into. `Error` means the value could not be obtained or
 * judged (the provider failed, the condition could not be evaluated): it says nothing about the
 * new version, which is why errors are only counted when they come in a row.
 */
export const measurementPhases = ['Successful', 'Failed', 'Inconclusive', 'Error'] as const;
export type MeasurementPhase = (typeof measurementPhases)[number];

/**
 * Phases of an analysis run and of each metric in it. `Running` until a metric has taken its
 * `count` measurements or crossed one of its limits; the others are where a run rests.
 */
export const runPhases = ['Running', 'Successful', 'Failed', 'Inconclusive', 'Error'] as const;
export type RunPhase = (typeof runPhases)[number];

/** One value taken by a provider for one metric, judged against that metric's criteria. */
export interface Measurement {
  /** Name of the metric in the analysis template, e.g. `error-rate`. */
  readonly metric: string;
  /** The number the provider returned, or `null` when it returned no data. */
  readonly value: number | null;
  readonly phase: MeasurementPhase;
  /** Why the phase was chosen, for failures and errors. */
  readonly message?: string;
  /** Epoch ms the measurement was taken. */
  readonly at: number;
  /** How many observations (requests, samples) the value summarises, when the provider knows. */
  readonly sampleSize?: number;
}
