import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { AnalysisMetric, AnalysisTemplate } from '../../config/ferry-config.js';
import { openSqlite } from '../../store/open-sqlite.js';
import type { Database } from '../../store/schema.js';
import type { RunPhase } from './domain/measurement.js';
import type { NamedTemplate } from './analysis-run.js';
import { AnalysisRunner } from './analysis-runner.js';
import { KyselyAnalysisRunStore } from './kysely-analysis-run-store.js';
import { ManualScheduler } from './manual-scheduler.js';
import type { MetricProvider } from './metric-provider.js';

/** A template `name` with one metric `name`, measured every 10s from the start. */
export function template(
  name: string,
  overrides: Partial<AnalysisTemplate> = {},
  metric: Partial<AnalysisMetric> = {},
): NamedTemplate {
  return {
    name,
    template: {
      intervalMs: 10_000,
      count: null,
      initialDelayMs: 0,
      failureLimit: 0,
      inconclusiveLimit: 0,
      consecutiveErrorLimit: 4,
      metrics: [
        {
          name,
          provider: { kind: 'builtin', metric: 'error_rate' },
          max: 0.01,
          dryRun: false,
          ...metric,
        },
      ],
      ...overrides,
    },
  };
}

export const context = {
  service: 'web',
  environment: 'prod',
  track: 'canary',
  version: 'v2',
} as const;

/** A runner on a fresh SQLite file, a manual scheduler, and what `onFinished` was told. */
export interface Harness {
  readonly db: Kysely<Database>;
  readonly store: KyselyAnalysisRunStore;
  readonly scheduler: ManualScheduler;
  readonly runner: AnalysisRunner;
  readonly finished: [string, RunPhase, string | undefined][];
  /**
   * Moves time on; after each timer, lets I/O-free work (fake providers, SQLite) run before the
   * next one fires. Waits for nothing that needs time to pass, such as a hanging provider.
   */
  advance(ms: number): Promise<void>;
  dispose(): Promise<void>;
}

export async function harness(provider: MetricProvider): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-analysis-'));
  const db = await openSqlite(join(dir, 'ferry.db'));
  const store = new KyselyAnalysisRunStore(db);
  const scheduler = new ManualScheduler(Date.parse('2025-06-01T12:00:00Z'));
  const finished: Harness['finished'] = [];
  const runner = new AnalysisRunner({
    store,
    provider,
    scheduler,
    onFinished: (...args) => finished.push(args),
  });
  return {
    db,
    store,
    scheduler,
    runner,
    finished,
    advance: (ms) => scheduler.advance(ms),
    async dispose() {
      await runner.close();
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
