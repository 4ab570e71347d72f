import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { FerryClient } from '../../cli/ferry-client.js';
import { composeArtifacts } from '../../composition/compose-artifacts.js';
import { composeDeployments } from '../../composition/compose-deployments.js';
import { kyselyStores } from '../../composition/kysely-stores.js';
import { formatAnalysis } from '../../cli/commands/rollout/format-rollout-view.js';
import { parseConfig } from '../../config/load-config.js';
import { dataFolderBlobs } from '../artifacts/blob-store.js';
import { LocalRuntime } from '../../runtime/local/local-runtime.js';
import { buildApi } from '../../server/build-api.js';
import type { ZodApp } from '../../server/zod-app.js';
import { KeyedQueue } from '../../shared/keyed-queue.js';
import { Router } from '../../traffic/router/router.js';
import { context, harness, template, type Harness } from '../analysis/analysis-test-kit.js';
import type { MetricProvider, ProviderSpec } from '../analysis/metric-provider.js';
import { EventLog } from '../events/event-log.js';
import { noFigures, type ListenerFigures } from '../routing/traffic-router.js';
import { initialRolloutState } from './domain/rollout-state.js';
import { rolloutRoutes } from './rollout-routes.js';
import type { AnalysisRunView, RolloutView } from './rollout-view.js';

const config = parseConfig(
  `apiVersion: ferry.dev/v1
environments:
  - name: prod
services:
  web:
    runtime:
      local: { command: node server.js }
    routes: { prod: 127.0.0.1:18080 }
    strategy:
      canary:
        steps:
          - setWeight: 10
          - analysis: { templates: [errors] }
    analysis:
      errors:
        count: 3
        metrics:
          - { name: error-rate, provider: { builtin: { metric: error_rate } }, max: 0.05 }
`,
  'ferry.yaml',
);

/** Scripted error rates and p99 latencies, one per call; 42 requests a second throughout. */
let answers: { error_rate: number[]; latency_p99: number[] };
const provider: MetricProvider = {
  async measure(spec: ProviderSpec) {
    if (spec.kind !== 'builtin') throw new Error(`unexpected provider ${spec.kind}`);
    if (spec.metric === 'request_rate') return { value: 42, sampleSize: 420 };
    const value = spec.metric === 'error_rate' ? answers.error_rate : answers.latency_p99;
    return { value: value.shift(), sampleSize: 500 };
  },
};

let dir: string | undefined;
let h: Harness | undefined;
let app: ZodApp | undefined;
let router: Router | undefined;
afterEach(async () => {
  await app?.close();
  await router?.close();
  await h?.dispose();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  app = router = h = dir = undefined;
});

/** The rollout routes on a fresh SQLite file, with deployment dep-1 of web in prod, Paused. */
async function start(options: { withAnalysis: boolean; figures?: ListenerFigures }) {
  answers = { error_rate: [0.28, 0.31], latency_p99: [120] };
  const kit = await harness(provider);
  h = kit;
  const { db, scheduler } = kit;
  const clock = scheduler.clock;
  dir = mkdtempSync(join(tmpdir(), 'ferry-rollout-routes-'));
  chmodSync(dir, 0o711); // instances of a root server run as nobody
  const dataDir = join(dir, 'data');
  const stores = kyselyStores(db);
  const events = new EventLog(stores.events, clock);
  const blobs = dataFolderBlobs(dataDir);
  const runtime = new LocalRuntime({ dataDir, artifactPath: (digest) => blobs.path(digest) });
  router = new Router();
  const { service: artifacts } = composeArtifacts({
    store: stores.artifacts,
    deployments: stores.deployments,
    dataDir,
    config,
    events,
    runtime,
    clock,
  });
  const core = composeDeployments({
    config,
    stores,
    runtime,
    router,
    events,
    clock,
    logger: pino({ level: 'silent' }),
    locks: new KeyedQueue(),
    artifacts,
  });
  const store = stores.deployments;
  const now = new Date(clock.now()).toISOString();
  await store.commit({
    insert: {
      id: 'dep-1',
      service: 'web',
      environment: 'prod',
      kind: 'deploy',
      artifactDigest: `sha256:${'ab'.repeat(32)}`,
      version: 'v2',
      phase: 'Paused',
      reason: null,
      previousId: null,
      spec: config.services.web!,
      actor: 'user:test',
      createdAt: now,
      updatedAt: now,
      lastProgressAt: now,
      finishedAt: null,
      rollout: { ...initialRolloutState(clock.now()), stepIndex: 1 },
    },
    events: [],
  });
  app = await buildApi({
    logger: pino({ level: 'silent' }),
    isReady: () => true,
    register: (api) =>
      rolloutRoutes(api, {
        deployments: core.deployments,
        store,
        rollouts: core.rollouts,
        controller: core.controller,
        instances: stores.instances,
        runtime,
        metrics: () => options.figures ?? noFigures,
        actorOf: () => 'user:test',
        ...(options.withAnalysis ? { analysisRuns: kit.store } : {}),
      }),
  });
  return { app, h: kit };
}

/**
 * Step 2's analysis fails at its second error rate (failureLimit 1), which ends it before its
 * dry-run latency is measured a second time; then a background run takes 105 request rates, one
 * a second, and goes on.
 */
async function recordRuns(h: Harness): Promise<[string, string]> {
  const stepRun = await h.runner.start({
    deploymentId: 'dep-1',
    name: 'step-2',
    templates: [
      template('errors', { failureLimit: 1 }, { name: 'error-rate', max: 0.05 }),
      template(
        'latency',
        {},
        {
          name: 'p99',
          provider: { kind: 'builtin', metric: 'latency_p99' },
          max: 500,
          dryRun: true,
        },
      ),
    ],
    context,
    stepOf: () => 1,
  });
  await h.advance(0);
  await h.advance(10_000);
  const background = await h.runner.start({
    deploymentId: 'dep-1',
    name: 'background',
    templates: [
      template(
        'traffic',
        { intervalMs: 1000 },
        { name: 'rps', provider: { kind: 'builtin', metric: 'request_rate' }, max: 1000 },
      ),
    ],
    context,
  });
  await h.advance(0);
  await h.advance(104_000);
  return [stepRun, background];
}

const second = (s: number) => new Date(Date.parse('2025-06-01T12:00:00Z') + s * 1000).toISOString();

describe('GET /api/v1/rollouts/:service/:environment with analysis', () => {
  it("lists the deployment's runs, oldest first, with tallies and the last 100 measurements", async () => {
    const { app, h } = await start({ withAnalysis: true });
    const [stepRun, background] = await recordRuns(h);

    const response = await app.inject({ method: 'GET', url: '/api/v1/rollouts/web/prod' });
    expect(response.statusCode).toBe(200);
    const view = response.json<RolloutView>();
    const failure =
      'errors/error-rate: 2 failed, more than failureLimit 1; last: 0.31 is above max 0.05';
    expect(view.analysis?.[0]).toEqual({
      id: stepRun,
      name: 'step-2',
      phase: 'Failed',
      message: failure,
      startedAt: second(0),
      finishedAt: second(10),
      overriddenBy: null,
      metrics: [
        {
          name: 'errors/error-rate',
          phase: 'Failed',
          dryRun: false,
          count: 2,
          successful: 0,
          failed: 2,
          inconclusive: 0,
          error: 0,
          consecutiveError: 0,
          message: '2 failed, more than failureLimit 1; last: 0.31 is above max 0.05',
          measurements: [0.28, 0.31].map((value, i) => ({
            at: second(i * 10),
            step: 1,
            phase: 'Failed',
            value,
            sampleSize: 500,
            message: `${value} is above max 0.05`,
          })),
        },
        {
          name: 'latency/p99',
          phase: 'Successful',
          dryRun: true,
          count: 1,
          successful: 1,
          failed: 0,
          inconclusive: 0,
          error: 0,
          consecutiveError: 0,
          message: 'run terminated before the metric settled',
          measurements: [
            {
              at: second(0),
              step: 1,
              phase: 'Successful',
              value: 120,
              sampleSize: 500,
              message: null,
            },
          ],
        },
      ],
    });
    const rps = view.analysis?.[1]?.metrics[0];
    expect(view.analysis?.[1]).toMatchObject({
      id: background,
      phase: 'Running',
      finishedAt: null,
    });
    expect(rps).toMatchObject({
      name: 'traffic/rps',
      phase: 'Running',
      count: 105,
      successful: 105,
    });
    expect(rps?.measurements).toHaveLength(100);
    expect(rps?.measurements[0]).toEqual({
      at: second(15),
      step: null,
      phase: 'Successful',
      value: 42,
      sampleSize: 420,
      message: null,
    });
    expect(rps?.measurements.at(-1)?.at).toBe(second(114));

    expect(formatAnalysis(view.analysis ?? [])).toBe(
      [
        'Analysis:',
        `step-2      Failed   12:00:00–12:00:10  ${failure}`,
        '  errors/error-rate  Failed      0.28 0.31  (2 failed / 2)',
        '  latency/p99        Successful  120  (1 successful / 1, dry run)',
        'background  Running  since 12:00:10',
        '  traffic/rps  Running  42 42 42 42 42  (105 successful / 105)',
        '',
      ].join('\n'),
    );
  });

  it('sends an empty list before the first run', async () => {
    const { app } = await start({ withAnalysis: true });
    const response = await app.inject({ method: 'GET', url: '/api/v1/rollouts/web/prod' });
    expect(response.json<RolloutView>().analysis).toEqual([]);
    expect(response.json<RolloutView>().steps.map((s) => s.state)).toEqual(['done', 'current']);
  });

  it('sends no analysis, and serves no analysis route, without a store', async () => {
    const { app, h } = await start({ withAnalysis: false });
    await recordRuns(h);
    const view = await app.inject({ method: 'GET', url: '/api/v1/rollouts/web/prod' });
    expect(view.statusCode).toBe(200);
    expect(view.json<RolloutView>()).not.toHaveProperty('analysis');
    const runs = await app.inject({ method: 'GET', url: '/api/v1/deployments/dep-1/analysis' });
    expect(runs.json()).toEqual({
      error: { code: 'not_found', message: 'no route GET /api/v1/deployments/dep-1/analysis' },
    });
  });
});

describe('GET /api/v1/deployments/:id/analysis', () => {
  it('sends every measurement of every run, and 404 for an unknown deployment', async () => {
    const { app, h } = await start({ withAnalysis: true });
    const [stepRun, background] = await recordRuns(h);

    const response = await app.inject({ method: 'GET', url: '/api/v1/deployments/dep-1/analysis' });
    expect(response.statusCode).toBe(200);
    const { runs } = response.json<{ runs: AnalysisRunView[] }>();
    expect(runs.map((r) => [r.id, r.metrics.map((m) => m.measurements.length)])).toEqual([
      [stepRun, [2, 1]],
      [background, [105]],
    ]);
    expect(runs[1]?.metrics[0]?.measurements[0]?.at).toBe(second(10));

    const unknown = await app.inject({ method: 'GET', url: '/api/v1/deployments/nope/analysis' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({
      error: { code: 'not_found', message: 'deployment "nope" not found' },
    });
  });

  it('is what FerryClient.analysis reads, and what /openapi.json describes', async () => {
    const { app, h } = await start({ withAnalysis: true });
    const [stepRun] = await recordRuns(h);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const client = new FerryClient(`http://127.0.0.1:${port}`);

    const runs = await client.analysis('dep-1');
    expect(runs.map((r) => `${r.id} ${r.name} ${r.phase}`)).toEqual([
      `${stepRun} step-2 Failed`,
      `${runs[1]?.id} background Running`,
    ]);
    await expect(client.analysis('nope')).rejects.toThrow('deployment "nope" not found');

    const openapi = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, { get?: { summary?: string } }>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    }>();
    expect(openapi.paths['/api/v1/deployments/{id}/analysis']?.get?.summary).toBe(
      'Analysis runs of a deployment, oldest first, with every measurement',
    );
    const { schemas } = openapi.components;
    expect(Object.keys(schemas)).toEqual(
      expect.arrayContaining(['AnalysisRun', 'AnalysisMetric', 'AnalysisMeasurement']),
    );
    expect(JSON.stringify(schemas.Rollout?.properties?.analysis)).toContain(
      'each metric with its last 100 measurements',
    );
  });
});

describe('GET /api/v1/rollouts/:service/:environment, router figures', () => {
  const served = { requests: 7, errors5xx: 0, p50Ms: 3, p95Ms: 5, p99Ms: 9 };
  const figures = (version: string): ListenerFigures => ({
    tracks: { stable: { version, ...served, headerMatches: 4, cookieMatches: 1 } },
    mirror: { sent: 12, skipped: 2, failed: 1 },
  });

  it("shows the requests each match routed to the track's version, and the mirrored copies", async () => {
    const { app } = await start({ withAnalysis: false, figures: figures('v2') });

    const view = (
      await app.inject({ method: 'GET', url: '/api/v1/rollouts/web/prod' })
    ).json<RolloutView>();

    expect(view.tracks).toEqual([
      expect.objectContaining({
        track: 'stable',
        version: 'v2',
        headerMatches: 4,
        cookieMatches: 1,
      }),
    ]);
    expect(view.mirror).toEqual({ sent: 12, skipped: 2, failed: 1 });
    const openapi = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    }>();
    const rollout = openapi.components.schemas.Rollout?.properties;
    expect(JSON.stringify(rollout?.tracks)).toContain('a canary header match routed here');
    expect(JSON.stringify(rollout?.mirror)).toContain('Copies sent that got no answer');
  });

  it('shows no match counts of another version than the one on the track', async () => {
    const { app } = await start({ withAnalysis: false, figures: figures('v1') });

    const view = (
      await app.inject({ method: 'GET', url: '/api/v1/rollouts/web/prod' })
    ).json<RolloutView>();

    expect(view.tracks[0]).toMatchObject({
      version: 'v2',
      headerMatches: null,
      cookieMatches: null,
    });
  });
});
