import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Deployment } from '../src/cli/api-types.js';
import { FerryClient } from '../src/cli/ferry-client.js';
import { ConstantLoad } from '../src/demo/constant-load.js';
import { freePort } from '../src/demo/free-port.js';
import { helloConfig } from '../src/demo/hello-config.js';
import { helloVersion, type HelloKnobs } from '../src/demo/hello-version.js';
import { packDirectory } from '../src/features/artifacts/pack-directory.js';
import { killOrphans } from '../src/runtime/local/orphan-processes.js';
import { stopRouter } from '../src/server/stop-router.js';
import { startServer } from '../src/server/start-server.js';
import type { Benchmark, BenchmarkResult } from './support/benchmark.js';
import { envNumber, median } from './support/settings.js';

const replicas = 3;
const intervalS = 1;
const failureLimit = 0;
const canaryWeight = 5;
/** What the fault is judged against: reaction and blast radius targets of the design. */
const targets = { reactionS: 3, blastRadiusPct: 0.5 };
const finalPhases = new Set(['Succeeded', 'Aborted', 'RolledBack', 'Failed']);

const service = `    analysis:
      errors:
        interval: ${intervalS}s
        failureLimit: ${failureLimit}
        inconclusiveLimit: 10
        metrics:
          - name: error-rate
            provider: { builtin: { metric: error_rate } }
            max: 0.05
            minSampleSize: 3
`;
const strategy = `      canary:
        abortScaleDownDelay: 2s
        analysis: { templates: [errors], startingStep: 1 }
        steps:
          - setWeight: ${canaryWeight}
          - pause: { duration: 60s }
`;

/** One run's measurements; times in epoch ms. */
interface RunResult {
  readonly reactionS: number;
  readonly blastRadiusPct: number;
  readonly sent: number;
  readonly failed: number;
  readonly canaryResponses: number;
  readonly abortedAfterOnsetS: number;
  readonly windowS: number;
  readonly reason: string;
}

/**
 * `rollback`: how fast background analysis catches a canary that fails every request, and how
 * many users it hurts meanwhile. v1 serves under constant load; v2 (`errorRate: 1`) starts as a
 * canary at 5 % with the builtin `error_rate` analysed every second. `reaction_s` runs from the
 * first v2 response the load sees to the last one; `blast_radius_pct` is failed requests over
 * all requests sent in a fixed window of `BENCH_ROLLBACK_WINDOW` s that opens
 * `BENCH_ROLLBACK_LEAD` s before the deploy request (the canary's first minutes, as a user of the
 * service lives them): the failures are a fixed count, so a longer window shrinks the percentage
 * (`failed_requests` does not depend on it).
 * The baseline is the floor of Argo Rollouts/Flagger-style judgement with the same settings:
 * a verdict needs `failureLimit + 1` failed measurements, one per interval. (The first one is
 * taken when the analysis starts; when it already has `minSampleSize` requests, a run beats it.)
 *
 * Knobs: BENCH_ROLLBACK_RUNS (3), BENCH_ROLLBACK_RPS (200), BENCH_ROLLBACK_LEAD (5 s),
 * BENCH_ROLLBACK_WINDOW (20 s).
 */
export const rollbackBenchmark: Benchmark = {
  name: 'rollback',
  description: `a canary failing 100% at ${canaryWeight}% weight under load, caught by analysis`,
  async run(): Promise<BenchmarkResult> {
    const runs = envNumber('BENCH_ROLLBACK_RUNS', 3);
    const rps = envNumber('BENCH_ROLLBACK_RPS', 200);
    const leadS = envNumber('BENCH_ROLLBACK_LEAD', 5);
    const windowLengthS = envNumber('BENCH_ROLLBACK_WINDOW', 20);
    const floorS = intervalS * (failureLimit + 1);
    console.error(
      `service config (hello, ${replicas} replicas):\n${service}    strategy:\n${strategy}`,
    );
    console.error(
      `targets: reaction < ${targets.reactionS} s, blast radius < ${targets.blastRadiusPct} %; ` +
        `baseline (interval × (failureLimit + 1)): ${floorS} s`,
    );
    const results: RunResult[] = [];
    for (let run = 1; run <= runs; run++) {
      const result = await measureRun({ rps, leadS, windowLengthS });
      console.error(
        `run ${run}/${runs}: reaction ${result.reactionS.toFixed(2)} s, blast radius ` +
          `${result.blastRadiusPct.toFixed(3)} % (${result.failed}/${result.sent}); ${result.reason}`,
      );
      results.push(result);
    }
    const reactionS = median(results.map((r) => r.reactionS));
    const blastRadiusPct = median(results.map((r) => r.blastRadiusPct));
    console.error(
      `targets: reaction ${reactionS.toFixed(2)} s < ${targets.reactionS} s ` +
        `${reactionS < targets.reactionS ? 'met' : 'NOT met'}; blast radius ` +
        `${blastRadiusPct.toFixed(3)} % < ${targets.blastRadiusPct} % ` +
        `${blastRadiusPct < targets.blastRadiusPct ? 'met' : 'NOT met'}`,
    );
    return {
      figures: {
        reaction_s: { value: round3(reactionS), unit: `s (median of ${runs})` },
        blast_radius_pct: { value: round3(blastRadiusPct), unit: `% (median of ${runs})` },
        failed_requests: { value: median(results.map((r) => r.failed)), unit: 'requests (median)' },
        aborted_after_onset_s: {
          value: round3(median(results.map((r) => r.abortedAfterOnsetS))),
          unit: 's (median)',
        },
        baseline_floor_s: { value: floorS, unit: 's (interval × (failureLimit + 1), baseline)' },
        reaction_vs_interval: { value: round3(reactionS / intervalS), unit: 'ratio' },
      },
      config: {
        replicas,
        rps,
        canaryWeight,
        app: 'examples/hello; v1 healthy, v2 errorRate 1.0 (500 on every request)',
        service: service.trim(),
        strategy: strategy.trim(),
        targets: { reaction_s: targets.reactionS, blast_radius_pct: targets.blastRadiusPct },
        baseline:
          'interval × (failureLimit + 1): the Argo Rollouts/Flagger-style floor, one measurement per interval. ' +
          'The first measurement is taken when the analysis starts, so a run whose first measurement already ' +
          'has minSampleSize requests reacts faster than this',
        reaction_s: 'first v2 response seen by the load → last v2 response seen by the load',
        blast_radius_window: `a fixed ${windowLengthS} s opening ${leadS} s before the v2 deploy request (longer if the abort came later); failed = non-2xx + connection errors, over every request sent in it`,
        runs: results.map((r) => ({
          reaction_s: round3(r.reactionS),
          blast_radius_pct: round3(r.blastRadiusPct),
          failed_requests: r.failed,
          requests_sent: r.sent,
          canary_responses: r.canaryResponses,
          aborted_after_onset_s: round3(r.abortedAfterOnsetS),
          window_s: round3(r.windowS),
          reason: r.reason,
        })),
      },
    };
  },
};

/** A fresh server with v1 live, then v2 as a failing canary under load until it is aborted. */
async function measureRun(options: {
  readonly rps: number;
  readonly leadS: number;
  readonly windowLengthS: number;
}): Promise<RunResult> {
  const work = mkdtempSync(join(tmpdir(), 'ferry-bench-rollback-'));
  chmodSync(work, 0o711); // instances of a root server run as nobody
  const dataDir = join(work, 'data');
  const configPath = join(work, 'ferry.yaml');
  const routePort = await freePort();
  writeFileSync(configPath, helloConfig({ routePort, replicas, strategy, service }));
  const server = await startServer({
    configPath,
    dataDir,
    listen: { host: '127.0.0.1', port: await freePort() },
    logLevel: 'warn',
  });
  const client = new FerryClient(server.url);
  try {
    await upload(client, { version: 'v1' });
    const v1 = await waitForFinal(client, (await deploy(client, 'v1')).id, 60_000);
    if (v1.phase !== 'Succeeded') throw new Error(`v1 ended ${v1.phase}: ${v1.reason}`);
    await upload(client, { version: 'v2', errorRate: 1 });

    const load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, options.rps).start();
    const windowStart = Date.now();
    await sleep(options.leadS * 1_000);
    const v2 = await waitForFinal(client, (await deploy(client, 'v2')).id, 90_000);
    await sleep(Math.max(0, windowStart + options.windowLengthS * 1_000 - Date.now()));
    const result = await load.stop();
    const windowS = (Date.now() - windowStart) / 1_000;

    const subject = `deployment/${v2.id}`;
    if (v2.phase !== 'Aborted' || !/analysis/i.test(v2.reason ?? '')) {
      const events = await client.events({ subject });
      throw new Error(
        `v2 ended ${v2.phase} (reason: ${v2.reason ?? 'none'}); expected Aborted by analysis. ` +
          `events:\n${events.map((e) => `  ${e.time} ${e.kind} ${JSON.stringify(e.payload)}`).join('\n')}`,
      );
    }
    const [aborted] = await client.events({ subject, kind: 'deployment.aborted' });
    const abortedAt = Date.parse(aborted?.time ?? v2.updatedAt);
    const canary = result.byVersion['v2'];
    if (canary === undefined) throw new Error('the load saw no response from v2');
    const failed = result.non2xx + result.errors.length;
    return {
      reactionS: (canary.lastAt - canary.firstAt) / 1_000,
      blastRadiusPct: (100 * failed) / result.sent,
      sent: result.sent,
      failed,
      canaryResponses: canary.responses,
      abortedAfterOnsetS: (abortedAt - canary.firstAt) / 1_000,
      windowS,
      reason: v2.reason ?? '',
    };
  } finally {
    await server.close();
    await stopRouter(dataDir);
    await killOrphans(dataDir);
    rmSync(work, { recursive: true, force: true });
  }
}

async function upload(client: FerryClient, knobs: HelloKnobs): Promise<void> {
  const dir = helloVersion(knobs);
  try {
    await client.putArtifact('hello', knobs.version, await packDirectory(dir), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function deploy(client: FerryClient, version: string): Promise<Deployment> {
  return (await client.deploy({ service: 'hello', environment: 'prod', version })).deployment;
}

async function waitForFinal(
  client: FerryClient,
  id: string,
  timeoutMs: number,
): Promise<Deployment> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await client.deployment(id);
    if (finalPhases.has(current.phase)) return current;
    if (Date.now() > deadline) {
      throw new Error(`deployment ${id} still ${current.phase} after ${timeoutMs} ms`);
    }
    await sleep(20);
  }
}

function round3(value: number): number {
  return Math.round(value * 1_000) / 1_000;
}
