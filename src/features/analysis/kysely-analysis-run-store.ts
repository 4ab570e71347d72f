import type { Kysely, Selectable } from 'kysely';
import type { AnalysisMeasurementTable, AnalysisRunTable, Database } from '../../store/schema.js';
import {
  measurementPhases,
  runPhases,
  type MeasurementPhase,
  type RunPhase,
} from './domain/measurement.js';
import type {
  AnalysisRun,
  NamedTemplate,
  RecordedMeasurement,
  StoredMeasurement,
} from './analysis-run.js';
import type { AnalysisRunStore } from './analysis-run-store.js';

export class KyselyAnalysisRunStore implements AnalysisRunStore {
  constructor(private readonly db: Kysely<Database>) {}

  async createRun(run: AnalysisRun): Promise<void> {
    await this.db
      .insertInto('analysis_runs')
      .values({
        id: run.id,
        deployment_id: run.deploymentId,
        name: run.name,
        templates: JSON.stringify(run.templates),
        phase: run.phase,
        message: run.message,
        started_at: run.startedAt,
        finished_at: run.finishedAt,
        overridden_by: run.overriddenBy,
      })
      .execute();
  }

  async finishRun(
    id: string,
    phase: RunPhase,
    message: string | null,
    finishedAt: string,
  ): Promise<void> {
    await this.db
      .updateTable('analysis_runs')
      .set({ phase, message, finished_at: finishedAt })
      .where('id', '=', id)
      .where('finished_at', 'is', null)
      .execute();
  }

  async overrideRun(id: string, actor: string): Promise<void> {
    await this.db
      .updateTable('analysis_runs')
      .set({ overridden_by: actor })
      .where('id', '=', id)
      .execute();
  }

  async appendMeasurement(measurement: RecordedMeasurement): Promise<StoredMeasurement> {
    const row = await this.db
      .insertInto('analysis_measurements')
      .values({
        run_id: measurement.runId,
        metric: measurement.metric,
        phase: measurement.phase,
        value: JSON.stringify(measurement.value ?? null),
        message: measurement.message,
        sample_size: measurement.sampleSize,
        step: measurement.step,
        at: measurement.at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { ...measurement, id: row.id };
  }

  async getRun(id: string): Promise<AnalysisRun | undefined> {
    const row = await this.db
      .selectFrom('analysis_runs')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toRun(row);
  }

  async listRuns(deploymentId: string): Promise<readonly AnalysisRun[]> {
    const rows = await this.db
      .selectFrom('analysis_runs')
      .selectAll()
      .where('deployment_id', '=', deploymentId)
      .orderBy('started_at', 'asc')
      .orderBy('id', 'asc')
      .execute();
    return rows.map(toRun);
  }

  async listMeasurements(runId: string): Promise<readonly StoredMeasurement[]> {
    const rows = await this.db
      .selectFrom('analysis_measurements')
      .selectAll()
      .where('run_id', '=', runId)
      .orderBy('id', 'asc')
      .execute();
    return rows.map(toMeasurement);
  }
}

function oneOf<T extends string>(allowed: readonly T[], text: string, what: string): T {
  const found = allowed.find((candidate) => candidate === text);
  if (found === undefined) throw new Error(`stored ${what} '${text}' is not one of ${allowed}`);
  return found;
}

function toRun(row: Selectable<AnalysisRunTable>): AnalysisRun {
  return {
    id: row.id,
    deploymentId: row.deployment_id,
    name: row.name,
    templates: JSON.parse(row.templates) as NamedTemplate[],
    phase: oneOf<RunPhase>(runPhases, row.phase, 'run phase'),
    message: row.message,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    overriddenBy: row.overridden_by,
  };
}

function toMeasurement(row: Selectable<AnalysisMeasurementTable>): StoredMeasurement {
  return {
    id: row.id,
    runId: row.run_id,
    metric: row.metric,
    phase: oneOf<MeasurementPhase>(measurementPhases, row.phase, 'measurement phase'),
    value: JSON.parse(row.value) as unknown,
    message: row.message,
    sampleSize: row.sample_size,
    step: row.step,
    at: row.at,
  };
}
