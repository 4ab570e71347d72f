import type { RunPhase } from './domain/measurement.js';
import type { AnalysisRun, RecordedMeasurement, StoredMeasurement } from './analysis-run.js';

/** Persistence port of analysis runs and their measurements. */
export interface AnalysisRunStore {
  createRun(run: AnalysisRun): Promise<void>;
  /** Records where a run ended; `finishedAt` is ISO-8601 UTC. A finished run keeps its verdict. */
  finishRun(id: string, phase: RunPhase, message: string | null, finishedAt: string): Promise<void>;
  /** Marks a finished run as overridden by `actor`: the rollout went on past its verdict. */
  overrideRun(id: string, actor: string): Promise<void>;
  appendMeasurement(measurement: RecordedMeasurement): Promise<StoredMeasurement>;
  getRun(id: string): Promise<AnalysisRun | undefined>;
  /** Oldest first. */
  listRuns(deploymentId: string): Promise<readonly AnalysisRun[]>;
  /** In the order they were appended. */
  listMeasurements(runId: string): Promise<readonly StoredMeasurement[]>;
}
