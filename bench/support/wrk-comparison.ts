import type { ChildProcess } from 'node:child_process';
import type { Figure } from './benchmark.js';
import { stopChild } from './child-process.js';
import { startHaproxy } from './haproxy.js';
import { freePort, waitForHttp } from './network.js';
import { processCpuMicros } from './process-cpu.js';
import { startRouterUnderTest, type RouterUnderTest } from './router-under-test.js';
import { median } from './settings.js';
import { runWrk, type WrkResult } from './wrk.js';

export interface WrkComparisonOptions {
  /** examples/hello, already answering. */
  readonly upstreamPort: number;
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
  readonly rounds: number;
  /** HAProxy is installed: without it only the router and direct figures are measured. */
  readonly haproxy: boolean;
}

type TargetName = 'direct' | 'router' | 'haproxy' | 'router_workers2' | 'haproxy_threads2';

interface Target {
  readonly name: TargetName;
  readonly url: string;
  /** CPU time of the proxy's processes so far, in µs; none for direct. */
  readonly cpu?: () => Promise<number>;
  readonly results: WrkResult[];
  readonly cpuPerRequest: number[];
}

/**
 * The router against HAProxy with wrk (native, one thread: it does not saturate before the
 * proxies do, unlike autocannon): `wrk -t1 -c<connections>` against examples/hello directly,
 * through a real `ferry router` process with one worker and HAProxy `nbthread 1`, and through
 * `ferry router` with two workers and HAProxy `nbthread 2`, alternating within each round. Each
 * ratio's baseline is measured in the same round, right before or after it, and a ratio is the
 * median over the rounds; CPU per request comes from /proc for every proxy alike.
 */
export async function compareWithWrk(
  options: WrkComparisonOptions,
): Promise<Record<string, Figure>> {
  const routers: RouterUnderTest[] = [];
  const haproxies: ChildProcess[] = [];
  try {
    const router = (workers: number) =>
      startRouterUnderTest({ workers, upstreamPort: options.upstreamPort }).then(
        (started) => (routers.push(started), started),
      );
    const haproxy = async (threads: number) => {
      const port = await freePort();
      const child = await startHaproxy(
        port,
        [{ name: 'a', port: options.upstreamPort, weight: 100 }],
        threads,
      );
      haproxies.push(child);
      return { url: `http://127.0.0.1:${port}/`, cpu: () => processCpuMicros(child.pid ?? 0) };
    };
    const target = (name: TargetName, url: string, cpu?: () => Promise<number>): Target => ({
      name,
      url,
      cpu,
      results: [],
      cpuPerRequest: [],
    });
    const one = await router(1);
    const two = await router(2);
    const targets: Target[] = [target('router', one.url, () => one.cpuMicros())];
    if (options.haproxy) {
      const single = await haproxy(1);
      targets.push(target('haproxy', single.url, single.cpu));
    }
    targets.push(target('router_workers2', two.url, () => two.cpuMicros()));
    if (options.haproxy) {
      const double = await haproxy(2);
      targets.push(target('haproxy_threads2', double.url, double.cpu));
    }
    targets.push(target('direct', `http://127.0.0.1:${options.upstreamPort}/`));
    for (const { url } of targets) await waitForHttp(url, 10_000);

    const wrk = (url: string, durationSeconds: number) =>
      runWrk({ url, threads: 1, connections: options.connections, durationSeconds });
    for (const { url } of targets) await wrk(url, options.warmupSeconds);
    for (let round = 0; round < options.rounds; round++) {
      for (const t of targets) {
        const before = await t.cpu?.();
        const result = await wrk(t.url, options.durationSeconds);
        const after = await t.cpu?.();
        if (before !== undefined && after !== undefined && result.requests > 0) {
          t.cpuPerRequest.push((after - before) / result.requests);
        }
        t.results.push(result);
      }
    }
    return wrkFigures(targets);
  } finally {
    await Promise.all([
      ...routers.map((r) => r.stop()),
      ...haproxies.map((child) => stopChild(child)),
    ]);
  }
}

function wrkFigures(targets: readonly Target[]): Record<string, Figure> {
  const byName = new Map(targets.map((t) => [t.name, t]));
  const rps = (name: TargetName) => median(byName.get(name)?.results.map((r) => r.rps) ?? []);
  const cpu = (name: TargetName) => median(byName.get(name)?.cpuPerRequest ?? []);
  const out: Record<string, Figure> = {};
  for (const t of targets) {
    out[`${t.name}_wrk_rps`] = { value: Math.round(rps(t.name)), unit: 'req/s' };
    out[`${t.name}_wrk_p99_ms`] = {
      value: round(median(t.results.map((r) => r.p99Ms)), 100),
      unit: 'ms',
    };
  }
  const ratio = (value: number): Figure => ({ value: round(value, 1_000), unit: 'ratio' });
  // The median of each round's ratio: the two runs of a round are back to back, so a slow spell
  // of a shared machine weighs on both sides of one ratio rather than on one side of the medians.
  const paired = (of: (t: Target) => readonly number[], a: TargetName, b: TargetName) => {
    const as = of(byName.get(a) as Target);
    const bs = of(byName.get(b) as Target);
    return median(as.map((value, round) => value / (bs[round] as number)));
  };
  const rpsOf = (t: Target) => t.results.map((r) => r.rps);
  out.router_vs_direct_wrk = ratio(paired(rpsOf, 'router', 'direct'));
  if (byName.has('haproxy')) {
    out.router_vs_haproxy_wrk = ratio(paired(rpsOf, 'router', 'haproxy'));
    out.router_workers2_vs_haproxy_threads2 = ratio(
      paired(rpsOf, 'router_workers2', 'haproxy_threads2'),
    );
  }
  for (const t of targets) {
    if (t.cpuPerRequest.length === 0) continue;
    out[`${t.name}_wrk_cpu_us_per_req`] = { value: round(cpu(t.name), 10), unit: 'µs' };
  }
  if (byName.has('haproxy')) {
    out.router_cpu_vs_haproxy = ratio(paired((t) => t.cpuPerRequest, 'router', 'haproxy'));
  }
  for (const t of targets) {
    const failures = t.results.reduce((total, r) => total + r.non2xx + r.socketErrors, 0);
    out[`${t.name}_wrk_failures`] = { value: failures, unit: 'requests' };
  }
  return out;
}

function round(value: number, per: number): number {
  return Math.round(value * per) / per;
}
