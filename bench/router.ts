import type { ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Benchmark, BenchmarkResult, Figure } from './support/benchmark.js';
import { nextMessage, spawnNode, stopChild } from './support/child-process.js';
import { newestProfile, topSelfTime } from './support/cpu-profile.js';
import { haproxyVersion, startHaproxy } from './support/haproxy.js';
import { processCpuMicros } from './support/process-cpu.js';
import { runLoad, type LoadOptions, type LoadResult } from './support/load.js';
import { freePort, waitForHttp } from './support/network.js';
import { projectRoot } from './support/project-root.js';
import type { RouterWorkerCpu, RouterWorkerReady } from './support/router-worker.js';
import { envNumber, median } from './support/settings.js';
import { measureServerRestarts } from './support/server-restart.js';
import { compareWithWrk } from './support/wrk-comparison.js';
import { wrkVersion } from './support/wrk.js';

const routerWorker = fileURLToPath(new URL('./support/router-worker.js', import.meta.url));

/** One thing the load generator is pointed at, measured once per round. */
interface Target {
  readonly name: 'direct' | 'router' | 'haproxy' | 'router_split' | 'haproxy_split';
  readonly url: string;
  /** Reads the proxy's CPU time in µs; none for the direct runs. */
  readonly cpu?: () => Promise<number>;
  readonly results: LoadResult[];
  readonly cpuPerRequest: number[];
}

/**
 * The router's overhead and how it compares with HAProxy: the same autocannon load against
 * `examples/hello` directly, through Ferry's router and through HAProxy (Debian's `haproxy`, one
 * thread like Node's event loop), each in its own process, at the same concurrency, alternating
 * within each round. Both proxies are also measured splitting 90/10 between two hello upstreams
 * (a canary at weight 10 for the router, `server a weight 90` / `server b weight 10` for HAProxy).
 * Each proxy's CPU time per request is reported too (HAProxy's from /proc): on a shared, noisy
 * machine it moves less than requests per second. Without HAProxy installed, only the router figures are reported.
 *
 * Knobs: BENCH_DURATION (seconds per run, default 5), BENCH_CONNECTIONS (50), BENCH_PIPELINING
 * (1), BENCH_WARMUP (seconds, 1), BENCH_ROUNDS (1; more rounds report medians), BENCH_PROFILE
 * (1 writes a CPU profile of the router to bench/out/profiles and prints its top self-time
 * functions), BENCH_ROUTER_METRICS (0 runs the router without Prometheus metrics),
 * BENCH_ROUTER_FLAGS (Node flags for the router process, e.g. `--max-semi-space-size=16`); these
 * three apply to this autocannon part only, not to `ferry router` below, which runs as shipped.
 *
 * The router above is the bench's own process running Ferry's `Router` class (so it can be
 * profiled and given Node flags). Then the same comparison with wrk as load generator against the
 * real `ferry router` process (see `compareWithWrk`): one worker against HAProxy `nbthread 1`,
 * two against `nbthread 2`, requests per second and CPU per request (primary and workers summed).
 * Knobs: BENCH_WRK (0 skips it), BENCH_WRK_DURATION (seconds per run, default 6),
 * BENCH_WRK_CONNECTIONS (32), BENCH_WRK_ROUNDS (3: each ratio is the median of the rounds'
 * ratios, each measured back to back). Without wrk installed these figures are skipped.
 *
 * Last, requests lost while `ferry server` restarts under load (see `measureServerRestarts`).
 * Knobs: BENCH_RESTART (0 skips it), BENCH_RESTART_RPS (200), BENCH_RESTART_DOWN (seconds the
 * server stays down, 5), BENCH_RESTART_STEADY (seconds of load before the kill and after ready, 5).
 */
export const routerBenchmark: Benchmark = {
  name: 'router',
  description: 'GET / on examples/hello: direct, through the router and through HAProxy',
  async run(): Promise<BenchmarkResult> {
    const durationSeconds = envNumber('BENCH_DURATION', 5);
    const connections = envNumber('BENCH_CONNECTIONS', 50);
    const pipelining = envNumber('BENCH_PIPELINING', 1);
    const warmupSeconds = envNumber('BENCH_WARMUP', 1);
    const rounds = envNumber('BENCH_ROUNDS', 1);
    const profile = process.env.BENCH_PROFILE === '1';
    const routerMetrics = process.env.BENCH_ROUTER_METRICS !== '0';
    const routerFlags = (process.env.BENCH_ROUTER_FLAGS ?? '').split(' ').filter(Boolean);
    const profileDir = join(projectRoot(), 'bench', 'out', 'profiles');
    const haproxy = haproxyVersion();
    if (haproxy === undefined) {
      console.error('haproxy not found (apt-get install haproxy): reporting the router only');
    }
    const wrkDuration = envNumber('BENCH_WRK_DURATION', 6);
    const wrkConnections = envNumber('BENCH_WRK_CONNECTIONS', 32);
    const wrk = process.env.BENCH_WRK === '0' ? undefined : wrkVersion();
    const restart = process.env.BENCH_RESTART !== '0';
    if (wrk === undefined && process.env.BENCH_WRK !== '0') {
      console.error('wrk not found (apt-get install wrk): skipping the wrk figures');
    }

    // Other work on the machine moves every figure: the load is reported beside them.
    const loadAtStart = loadavg()[0]!;
    const children: ChildProcess[] = [];
    const hello = (port: number, version: string) =>
      spawnNode(join(projectRoot(), 'examples', 'hello', 'server.js'), {
        cwd: join(projectRoot(), 'examples', 'hello'),
        env: { PORT: String(port), HELLO_VERSION: version },
      });
    try {
      const [stablePort, canaryPort, haproxyPort, haproxySplitPort] = await Promise.all(
        [1, 2, 3, 4].map(() => freePort()),
      );
      children.push(hello(stablePort!, 'stable'), hello(canaryPort!, 'canary'));
      if (profile) await mkdir(profileDir, { recursive: true });
      const router = spawnNode(routerWorker, {
        ipc: true,
        env: {
          UPSTREAM_PORT: String(stablePort),
          CANARY_PORT: String(canaryPort),
          ROUTER_METRICS: routerMetrics ? '1' : '0',
        },
        execArgv: [
          ...routerFlags,
          ...(profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []),
        ],
      });
      children.push(router);
      const cpu = async (): Promise<number> => {
        const answer = nextMessage<RouterWorkerCpu>(router, 5_000);
        router.send('cpu');
        return (await answer).cpuMicros;
      };
      const ready = await nextMessage<RouterWorkerReady>(router, 10_000);
      const haproxies =
        haproxy === undefined
          ? undefined
          : {
              single: await startHaproxy(haproxyPort!, [
                { name: 'a', port: stablePort!, weight: 100 },
              ]),
              split: await startHaproxy(haproxySplitPort!, [
                { name: 'a', port: stablePort!, weight: 90 },
                { name: 'b', port: canaryPort!, weight: 10 },
              ]),
            };
      if (haproxies !== undefined) children.push(haproxies.single, haproxies.split);
      const cpuOf = (child: ChildProcess) => () => processCpuMicros(child.pid ?? 0);

      const target = (name: Target['name'], port: number, readCpu?: () => Promise<number>) => ({
        name,
        url: `http://127.0.0.1:${port}/`,
        cpu: readCpu,
        results: [],
        cpuPerRequest: [],
      });
      const targets: Target[] = [
        target('direct', stablePort!),
        target('router', ready.port, cpu),
        ...(haproxies === undefined
          ? []
          : [target('haproxy', haproxyPort!, cpuOf(haproxies.single))]),
        target('router_split', ready.splitPort, cpu),
        ...(haproxies === undefined
          ? []
          : [target('haproxy_split', haproxySplitPort!, cpuOf(haproxies.split))]),
      ];
      for (const { url } of targets) await waitForHttp(url, 10_000);

      const load = (url: string, seconds: number): Promise<LoadResult> =>
        runLoad({ url, connections, pipelining, durationSeconds: seconds } satisfies LoadOptions);
      for (const { url } of targets) await load(url, warmupSeconds);
      for (let round = 0; round < rounds; round++) {
        for (const t of targets) {
          const cpuBefore = await t.cpu?.();
          const result = await load(t.url, durationSeconds);
          const cpuAfter = await t.cpu?.();
          if (cpuBefore !== undefined && cpuAfter !== undefined) {
            t.cpuPerRequest.push((cpuAfter - cpuBefore) / result.requests);
          }
          t.results.push(result);
        }
      }

      await stopChild(router);
      if (profile) await printProfile(profileDir);
      const wrkFigures =
        wrk === undefined
          ? {}
          : await compareWithWrk({
              upstreamPort: stablePort!,
              durationSeconds: wrkDuration,
              warmupSeconds,
              connections: wrkConnections,
              rounds: envNumber('BENCH_WRK_ROUNDS', 3),
              haproxy: haproxy !== undefined,
            });
      const restartFigures = restart
        ? await measureServerRestarts({
            rps: envNumber('BENCH_RESTART_RPS', 200),
            downSeconds: envNumber('BENCH_RESTART_DOWN', 5),
            steadySeconds: envNumber('BENCH_RESTART_STEADY', 5),
          })
        : {};
      return {
        figures: { ...figures(targets), ...wrkFigures, ...restartFigures },
        config: {
          connections,
          durationSeconds,
          pipelining,
          warmupSeconds,
          rounds,
          request: 'GET / (examples/hello/server.js)',
          split: '90/10 between two hello upstreams',
          processes: 'each upstream, each proxy and the load generator in its own process',
          routerMetrics,
          routerFlags: routerFlags.join(' '),
          haproxy: haproxy ?? 'not installed',
          haproxyThreads: 1,
          wrk: wrk ?? 'not run',
          wrkCommand: `wrk -t1 -c${wrkConnections} -d${wrkDuration}s --latency`,
          wrkRouter:
            '`ferry router` (bin/ferry.js) with 1 and with 2 workers (cluster, SCHED_NONE)',
          restart: restart
            ? 'ferry server (bin/ferry.js), hello with 2 replicas, constant load on its route; SIGKILL then SIGTERM'
            : 'not run',
          cpus: cpus().length,
          loadAverage1m: { atStart: round3(loadAtStart), atEnd: round3(loadavg()[0]!) },
          node: process.version,
        },
      };
    } finally {
      await Promise.all(children.map((child) => stopChild(child)));
    }
  },
};

function figures(targets: readonly Target[]): Record<string, Figure> {
  const byName = new Map(targets.map((t) => [t.name, t]));
  const rps = (name: Target['name']) => median(byName.get(name)?.results.map((r) => r.rps) ?? []);
  const out: Record<string, Figure> = {};
  for (const t of targets) {
    out[`${t.name}_rps`] = { value: Math.round(rps(t.name)), unit: 'req/s' };
    out[`${t.name}_p99_ms`] = { value: median(t.results.map((r) => r.p99Ms)), unit: 'ms' };
  }
  out.router_vs_direct = { value: round3(rps('router') / rps('direct')), unit: 'ratio' };
  if (byName.has('haproxy')) {
    out.router_vs_haproxy = { value: round3(rps('router') / rps('haproxy')), unit: 'ratio' };
    out.router_split_vs_haproxy_split = {
      value: round3(rps('router_split') / rps('haproxy_split')),
      unit: 'ratio',
    };
  }
  for (const t of targets) {
    // CPU is steadier than throughput on a busy machine: each proxy's cost per request.
    if (t.cpuPerRequest.length > 0) {
      out[`${t.name}_cpu_us_per_req`] = { value: Math.round(median(t.cpuPerRequest)), unit: 'µs' };
    }
  }
  for (const t of targets) {
    out[`${t.name}_failures`] = { value: sum(t.results.map((r) => r.failures)), unit: 'requests' };
  }
  return out;
}

async function printProfile(dir: string): Promise<void> {
  const { file, profile } = await newestProfile(dir);
  console.error(`router CPU profile: ${file}\ntop self time (share of busy time):`);
  for (const { frame, ms, percent } of topSelfTime(profile, 20)) {
    console.error(`  ${percent.toFixed(1).padStart(5)} %  ${String(ms).padStart(6)} ms  ${frame}`);
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function round3(value: number): number {
  return Math.round(value * 1_000) / 1_000;
}
