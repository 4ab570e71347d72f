import type { AnalysisTemplate } from '../../config/ferry-config.js';
import type { MeasurementPhase, RunPhase } from './domain/measurement.js';

/** A template as a run uses it: its name in the service's `analysis` and its resolved body. */
export interface NamedTemplate {
  readonly name: string;
  readonly template: AnalysisTemplate;
}

/**
 * One analysis run of a deployment: the templates it measures, as they were when it started, and
 * where it ended. `finishedAt` is null while it runs.
 */
export interface AnalysisRun {
  readonly id: string;
  readonly deploymentId: string;
  /** What the run is for: `step-2` (an analysis step), `background`, ... */
  readonly name: string;
  readonly templates: readonly NamedTemplate[];
  readonly phase: RunPhase;
  readonly message: string | null;
  /** ISO-8601 UTC. */
  readonly startedAt: string;
  readonly finishedAt: string | null;
  /** Who let the rollout go on past this run's Inconclusive verdict (`user:local`, `controller`). */
  readonly overriddenBy: string | null;
}

/** One measurement as recorded: the provider's value as it came, and how it was judged. */
export interface RecordedMeasurement {
  readonly runId: string;
  /** `template/metric`, e.g. `errors/error-rate`. */
  readonly metric: string;
  readonly phase: MeasurementPhase;
  /** What the provider returned: a number, a JSON document, or null (no data, or an error). */
  readonly value: unknown;
  readonly message: string | null;
  readonly sampleSize: number | null;
  /** 0-based rollout step the measurement was taken at; null outside a stepped rollout. */
  readonly step: number | null;
  /** ISO-8601 UTC. */
  readonly at: string;
}

/** A recorded measurement read back, with its id (increasing in the order they were appended). */
export interface StoredMeasurement extends RecordedMeasurement {
  readonly id: number;
}
