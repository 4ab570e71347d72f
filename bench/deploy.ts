import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FerryClient } from '../src/cli/ferry-client.js';
import { freePort } from '../src/demo/free-port.js';
import { helloConfig } from '../src/demo/hello-config.js';
import { helloVersion } from '../src/demo/hello-version.js';
import { packDirectory } from '../src/features/artifacts/pack-directory.js';
import type { FerryEvent } from '../src/features/events/event.js';
import { killOrphans } from '../src/runtime/local/orphan-processes.js';
import { stopRouter } from '../src/server/stop-router.js';
import { startServer } from '../src/server/start-server.js';
import type { Benchmark, BenchmarkResult } from './support/benchmark.js';

const replicas = 3;
const rounds = Number(process.env['FERRY_BENCH_DEPLOY_ROUNDS'] ?? 5);
const finalPhases = new Set(['Succeeded', 'RolledBack', 'Failed']);

/**
 * `deploy`: what Ferry itself adds to a rolling update. For each round, the time from the deploy
 * request until the last old instance has stopped, minus the time spent waiting for new
 * instances to become ready (the union of their started → ready intervals): packing, upload,
 * planning, routing changes, draining and stopping.
 */
export const deployBenchmark: Benchmark = {
  name: 'deploy',
  description: `rolling update of ${replicas} replicas; Ferry's overhead beside readiness waits`,
  async run(): Promise<BenchmarkResult> {
    const work = mkdtempSync(join(tmpdir(), 'ferry-bench-deploy-'));
    chmodSync(work, 0o711); // instances of a root server run as nobody
    const dataDir = join(work, 'data');
    const configPath = join(work, 'ferry.yaml');
    writeFileSync(
      configPath,
      helloConfig({
        routePort: await freePort(),
        replicas,
        readinessInterval: '100ms',
        drainTimeout: '10s',
      }),
    );
    const server = await startServer({
      configPath,
      dataDir,
      listen: { host: '127.0.0.1', port: await freePort() },
      logLevel: 'warn',
    });
    const client = new FerryClient(server.url);
    try {
      await deployAndWait(client, 'v0');
      const samples: { totalMs: number; readyWaitMs: number }[] = [];
      for (let round = 1; round <= rounds; round++) {
        samples.push(await measureRound(client, `v${round}`));
      }
      const overhead = samples.map((s) => s.totalMs - s.readyWaitMs);
      return {
        figures: {
          overhead_ms: { value: median(overhead), unit: 'ms (median)' },
          total_ms: { value: median(samples.map((s) => s.totalMs)), unit: 'ms (median)' },
          readiness_wait_ms: {
            value: median(samples.map((s) => s.readyWaitMs)),
            unit: 'ms (median, baseline)',
          },
          overhead_vs_readiness: {
            value: median(overhead) / median(samples.map((s) => s.readyWaitMs)),
            unit: 'ratio',
          },
        },
        config: {
          replicas,
          rounds,
          maxSurge: 1,
          maxUnavailable: 0,
          readinessInterval: '100ms',
          app: 'examples/hello',
        },
      };
    } finally {
      await server.close();
      await stopRouter(dataDir);
      await killOrphans(dataDir);
      rmSync(work, { recursive: true, force: true });
    }
  },
};

async function measureRound(
  client: FerryClient,
  version: string,
): Promise<{ totalMs: number; readyWaitMs: number }> {
  const bytes = await packDirectory(helloVersion({ version }));
  await client.putArtifact('hello', version, bytes, null);
  const before = await allEvents(client, 0);
  const requestedAt = Date.now();
  const id = await deployAndWait(client, version);
  const events = await allEvents(client, before.at(-1)?.id ?? 0);
  const stopped = events.filter((e) => e.kind === 'instance.stopped');
  const lastStop = Math.max(...stopped.map(time));
  const intervals = readinessIntervals(events, version);
  if (!Number.isFinite(lastStop) || intervals.length !== replicas) {
    throw new Error(`deployment ${id}: expected ${replicas} ready instances and stopped old ones`);
  }
  return { totalMs: lastStop - requestedAt, readyWaitMs: unionLength(intervals) };
}

async function deployAndWait(client: FerryClient, version: string): Promise<string> {
  if (version === 'v0') {
    await client.putArtifact(
      'hello',
      version,
      await packDirectory(helloVersion({ version })),
      null,
    );
  }
  const { deployment } = await client.deploy({ service: 'hello', environment: 'prod', version });
  for (;;) {
    const current = await client.deployment(deployment.id);
    if (finalPhases.has(current.phase)) {
      if (current.phase !== 'Succeeded') throw new Error(`${version}: ${current.reason}`);
      return deployment.id;
    }
    await sleep(20);
  }
}

async function allEvents(client: FerryClient, after: number): Promise<FerryEvent[]> {
  const events: FerryEvent[] = [];
  for (;;) {
    const page = await client.events({ after: events.at(-1)?.id ?? after, limit: 1000 });
    events.push(...page);
    if (page.length < 1000) return events;
  }
}

function readinessIntervals(events: readonly FerryEvent[], version: string): [number, number][] {
  const started = new Map<string, number>();
  const intervals: [number, number][] = [];
  for (const e of events) {
    if (e.payload['version'] !== version) continue;
    if (e.kind === 'instance.started') started.set(e.subject, time(e));
    if (e.kind === 'instance.ready' && started.has(e.subject)) {
      intervals.push([started.get(e.subject)!, time(e)]);
    }
  }
  return intervals;
}

function unionLength(intervals: [number, number][]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [start, end] = sorted[0] ?? [0, 0];
  for (const [s, e] of sorted.slice(1)) {
    if (s > end) {
      total += end - start;
      [start, end] = [s, e];
    } else end = Math.max(end, e);
  }
  return total + (end - start);
}

function time(e: FerryEvent): number {
  return Date.parse(e.time);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
