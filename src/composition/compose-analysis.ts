import type { Logger } from 'pino';
import { createProviders } from '../analysis/create-providers.js';
import type { AnalysisRunStore } from '../features/analysis/analysis-run-store.js';
import { AnalysisRunner } from '../features/analysis/analysis-runner.js';
import { JudgeRunner } from '../features/analysis/judge-runner.js';
import type { MetricProvider } from '../features/analysis/metric-provider.js';
import type { Scheduler } from '../features/analysis/scheduler.js';
import { analysisExecutor } from '../features/gates/analysis-executor.js';
import { judgeExecutor } from '../features/gates/judge-executor.js';
import type { ApprovalService } from '../features/approvals/approval-service.js';
import { approvalExecutor } from '../features/gates/approval-executor.js';
import { manualExecutor } from '../features/gates/manual-executor.js';
import { migrationExecutor } from '../features/gates/migration-executor.js';
import { planMigrations } from '../features/migrations/domain/plan-migrations.js';
import type { ParsedMigrations } from '../features/migrations/domain/parse-migration-files.js';
import type { OpenMigrationDatabase } from '../features/migrations/migration-database.js';
import { runExpandMigrations } from '../features/migrations/run-expand-migrations.js';
import { RolloutAnalysis } from '../features/deployments/rollout-analysis.js';
import type { EventLog } from '../features/events/event-log.js';
import { noFigures, type ListenerFiguresOf } from '../features/routing/traffic-router.js';
import type { TrafficSampler } from '../features/routing/traffic-samples.js';
import type { Clock } from '../shared/clock.js';

export interface ComposedAnalysis {
  /** What the controller starts, reads and stops runs through. */
  readonly rolloutAnalysis: RolloutAnalysis;
  /** Stops every run (first, while the runners still listen). */
  stop(): Promise<void>;
  /** Waits for the measurements and writes under way; the runs go on (a test's clock steps). */
  idle(): Promise<void>;
  /** Waits for the runners' work in flight to end. */
  settle(): Promise<void>;
}

export interface AnalysisParts {
  readonly store: AnalysisRunStore;
  readonly events: EventLog;
  readonly routeFigures?: ListenerFiguresOf;
  readonly sampler?: TrafficSampler;
  /**
   * What measures the templates' metrics: by default every provider kind, the builtin metrics
   * read from `routeFigures`.
   */
  readonly metrics?: MetricProvider;
  readonly scheduler: Scheduler;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Called when a run ended by itself and its verdict is recorded. */
  readonly wake: () => void;
  /** Approvals a canary's `approval` steps wait on; without them such a step is refused. */
  readonly approvals?: ApprovalService;
  /** Opens a service's database; with `migrationFiles`, the expand gate (`migration`) runs. */
  readonly openMigrationDatabase?: OpenMigrationDatabase;
  /** The migration files an artifact ships under a folder (`readArtifactMigrations`). */
  readonly migrationFiles?: (digest: string, folder: string) => Promise<ParsedMigrations>;
  /** Where a database URL not in the service's env is looked up; `process.env` by default. */
  readonly ferryEnv?: Readonly<Record<string, string | undefined>>;
}

/**
 * Analysis: template runs measured by the providers (builtin metrics from `routeFigures`), and
 * canary judgements when the router gives raw samples. A run that ends by itself is written to
 * the event log and `wake`s the controller, which reads the verdict from the store.
 */
export function composeAnalysis(parts: AnalysisParts): ComposedAnalysis {
  const { store, scheduler } = parts;
  const onError = errorLogger(parts.logger.child({ component: 'analysis' }));
  const recordVerdict = verdictRecorder(store, parts.events);
  const onFinished = (runId: string) => {
    rolloutAnalysis.finished(runId);
    void recordVerdict(runId)
      .catch((error: unknown) => onError(error, runId))
      .finally(parts.wake);
  };
  const provider =
    parts.metrics ?? createProviders({ routeFigures: parts.routeFigures ?? (() => noFigures) });
  const runner = new AnalysisRunner({ store, provider, scheduler, onFinished, onError });
  const { sampler } = parts;
  const judges = sampler
    ? new JudgeRunner({ store, sampler, scheduler, onFinished, onError })
    : undefined;
  const manualGates = manualExecutor({ store, scheduler, onFinished, onError });
  const { approvals } = parts;
  const approvalGates = approvals
    ? approvalExecutor({ store, scheduler, onFinished, onError, approvals })
    : undefined;
  const { openMigrationDatabase: open, migrationFiles: filesOf } = parts;
  const migrationGates =
    open && filesOf
      ? migrationExecutor({
          store,
          scheduler,
          onFinished,
          onError,
          run: (deployment) =>
            runExpandMigrations(deployment, {
              filesOf,
              open,
              plan: planMigrations,
              events: parts.events,
              clock: parts.clock,
              ferryEnv: parts.ferryEnv ?? process.env,
            }),
        })
      : undefined;
  // Each gate kind's executor; a kind without one is refused when a run of it must start.
  const rolloutAnalysis: RolloutAnalysis = new RolloutAnalysis({
    store,
    executors: {
      analysis: analysisExecutor(runner),
      ...(judges ? { judge: judgeExecutor(judges) } : {}),
      manual: manualGates,
      ...(approvalGates ? { approval: approvalGates } : {}),
      ...(migrationGates ? { migration: migrationGates } : {}),
    },
    clock: parts.clock,
  });
  return {
    rolloutAnalysis,
    stop: () => rolloutAnalysis.close(),
    async idle() {
      await runner.settle();
      await judges?.settle();
    },
    async settle() {
      await runner.settle();
      await judges?.close();
      await judges?.settle();
      await manualGates.close();
      await approvalGates?.close();
      await migrationGates?.close();
    },
  };
}

function errorLogger(logger: Logger) {
  return (error: unknown, runId: string) =>
    logger.error({ err: error, runId }, 'analysis run failed');
}

/** Each verdict goes into the event log too, for the deployment's timeline. */
function verdictRecorder(store: AnalysisRunStore, events: EventLog) {
  return async (runId: string) => {
    const run = await store.getRun(runId);
    if (!run) return;
    await events.append({
      actor: 'analysis',
      kind: 'analysis.finished',
      subject: `deployment/${run.deploymentId}`,
      payload: { run: run.id, name: run.name, phase: run.phase, message: run.message },
    });
  };
}
