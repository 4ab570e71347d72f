import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Benchmark, BenchmarkResult } from './support/benchmark.js';
import { nextMessage, spawnNode, stopChild } from './support/child-process.js';
import { runLoad, type LoadOptions, type LoadResult } from './support/load.js';
import { freePort, waitForHttp } from './support/network.js';
import { projectRoot } from './support/project-root.js';
import type { RouterWorkerCpu, RouterWorkerReady } from './support/router-worker.js';
import { envNumber, median } from './support/settings.js';

const routerWorker = fileURLToPath(new URL('./support/router-worker.js', import.meta.url));

/**
 * The router's overhead: the same autocannon load against `examples/hello` directly and through
 * Ferry's router, each in its own process. The router's CPU time per request is reported too: on
 * a shared, noisy machine it moves less than requests per second.
 *
 * Knobs: BENCH_DURATION (seconds per run, default 5), BENCH_CONNECTIONS (50), BENCH_PIPELINING
 * (1), BENCH_WARMUP (seconds, 1), BENCH_ROUNDS (1; more rounds alternate direct and router runs
 * and report medians).
 */
export const routerBenchmark: Benchmark = {
  name: 'router',
  description: 'GET / on examples/hello, direct and through the router',
  async run(): Promise<BenchmarkResult> {
    const durationSeconds = envNumber('BENCH_DURATION', 5);
    const connections = envNumber('BENCH_CONNECTIONS', 50);
    const pipelining = envNumber('BENCH_PIPELINING', 1);
    const warmupSeconds = envNumber('BENCH_WARMUP', 1);
    const rounds = envNumber('BENCH_ROUNDS', 1);

    const upstreamPort = await freePort();
    const upstream = spawnNode(join(projectRoot(), 'examples', 'hello', 'server.js'), {
      cwd: join(projectRoot(), 'examples', 'hello'),
      env: { PORT: String(upstreamPort), HELLO_VERSION: 'bench' },
    });
    const router = spawnNode(routerWorker, {
      ipc: true,
      env: { UPSTREAM_PORT: String(upstreamPort) },
    });
    try {
      const directUrl = `http://127.0.0.1:${upstreamPort}/`;
      await waitForHttp(directUrl, 10_000);
      const { port } = await nextMessage<RouterWorkerReady>(router, 10_000);
      const routerUrl = `http://127.0.0.1:${port}/`;
      await waitForHttp(routerUrl, 10_000);

      const load = (url: string, seconds: number): Promise<LoadResult> =>
        runLoad({ url, connections, pipelining, durationSeconds: seconds } satisfies LoadOptions);
      await load(directUrl, warmupSeconds);
      await load(routerUrl, warmupSeconds);
      const routerCpu = async (): Promise<number> => {
        const answer = nextMessage<RouterWorkerCpu>(router, 5_000);
        router.send('cpu');
        return (await answer).cpuMicros;
      };
      const direct: LoadResult[] = [];
      const routed: LoadResult[] = [];
      const cpuPerRequest: number[] = [];
      for (let round = 0; round < rounds; round++) {
        direct.push(await load(directUrl, durationSeconds));
        const cpuBefore = await routerCpu();
        const result = await load(routerUrl, durationSeconds);
        cpuPerRequest.push(((await routerCpu()) - cpuBefore) / result.requests);
        routed.push(result);
      }

      const routerRps = median(routed.map((r) => r.rps));
      const directRps = median(direct.map((r) => r.rps));
      return {
        figures: {
          router_rps: { value: Math.round(routerRps), unit: 'req/s' },
          router_p99_ms: { value: median(routed.map((r) => r.p99Ms)), unit: 'ms' },
          direct_rps: { value: Math.round(directRps), unit: 'req/s' },
          direct_p99_ms: { value: median(direct.map((r) => r.p99Ms)), unit: 'ms' },
          router_vs_direct: { value: round3(routerRps / directRps), unit: 'ratio' },
          // CPU is steadier than throughput on a busy machine: the router's cost per request.
          router_cpu_us_per_req: { value: Math.round(median(cpuPerRequest)), unit: 'µs' },
          router_failures: { value: sum(routed.map((r) => r.failures)), unit: 'requests' },
          direct_failures: { value: sum(direct.map((r) => r.failures)), unit: 'requests' },
        },
        config: {
          connections,
          durationSeconds,
          pipelining,
          warmupSeconds,
          rounds,
          request: 'GET / (examples/hello/server.js)',
          processes: 'upstream, router and load generator each in its own process',
          cpus: cpus().length,
          node: process.version,
        },
      };
    } finally {
      await Promise.all([stopChild(router), stopChild(upstream)]);
    }
  },
};

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function round3(value: number): number {
  return Math.round(value * 1_000) / 1_000;
}
