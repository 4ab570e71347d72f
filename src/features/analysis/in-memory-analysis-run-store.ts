import { compareText, copyRow, duplicateKey } from '../../store/in-memory-rows.js';
import type { RunPhase } from './domain/measurement.js';
import type { AnalysisRun, RecordedMeasurement, StoredMeasurement } from './analysis-run.js';
import type { AnalysisRunStore } from './analysis-run-store.js';

/** AnalysisRunStore in memory, for tests: measurement ids count up from 1, like the table's. */
export class InMemoryAnalysisRunStore implements AnalysisRunStore {
  private readonly runs = new Map<string, AnalysisRun>();
  private readonly measurements: StoredMeasurement[] = [];

  async createRun(run: AnalysisRun): Promise<void> {
    if (this.runs.has(run.id)) throw duplicateKey('analysis_runs', run.id);
    this.runs.set(run.id, copyRow(run));
  }

  async finishRun(
    id: string,
    phase: RunPhase,
    message: string | null,
    finishedAt: string,
  ): Promise<void> {
    const run = this.runs.get(id);
    if (run && run.finishedAt === null) this.runs.set(id, { ...run, phase, message, finishedAt });
  }

  async overrideRun(id: string, actor: string): Promise<void> {
    const run = this.runs.get(id);
    if (run) this.runs.set(id, { ...run, overriddenBy: actor });
  }

  async appendMeasurement(measurement: RecordedMeasurement): Promise<StoredMeasurement> {
    const id = this.measurements.length + 1;
    this.measurements.push({ ...copyRow(measurement), value: measurement.value ?? null, id });
    return { ...copyRow(measurement), id };
  }

  async getRun(id: string): Promise<AnalysisRun | undefined> {
    const run = this.runs.get(id);
    return run && copyRow(run);
  }

  async listRuns(deploymentId: string): Promise<readonly AnalysisRun[]> {
    return [...this.runs.values()]
      .filter((r) => r.deploymentId === deploymentId)
      .sort((a, b) => compareText(a.startedAt, b.startedAt) || compareText(a.id, b.id))
      .map(copyRow);
  }

  async listMeasurements(runId: string): Promise<readonly StoredMeasurement[]> {
    return this.measurements.filter((m) => m.runId === runId).map(copyRow);
  }
}
