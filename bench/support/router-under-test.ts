import { fileURLToPath } from 'node:url';
import { nextMessage, spawnNode, stopChild } from './child-process.js';
import { freePort } from './network.js';
import { processCpuMicros } from './process-cpu.js';
import type { RouterClusterReady } from './router-cluster.js';

const script = fileURLToPath(new URL('./router-cluster.js', import.meta.url));

export interface RouterUnderTestOptions {
  /** Router processes serving the one listener. */
  readonly workers: number;
  /** The port of the upstream every request goes to (examples/hello). */
  readonly upstreamPort: number;
  /** Prometheus metrics on, as Ferry runs the router. Default true. */
  readonly metrics?: boolean;
  /** Node flags for the router processes (cluster workers inherit them). */
  readonly nodeFlags?: readonly string[];
}

/** A running router the bench loads: where it listens, what CPU it used, how to stop it. */
export interface RouterUnderTest {
  readonly url: string;
  /** User plus system CPU time of all its processes so far, in µs (from /proc). */
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts Ferry's router with `workers` processes in front of one upstream, for the wrk figures:
 * one worker is a plain process running `Router`; more are Node `cluster` workers sharing the
 * listening socket (bench/support/router-cluster.ts).
 */
export async function startRouterUnderTest(
  options: RouterUnderTestOptions,
): Promise<RouterUnderTest> {
  const port = await freePort();
  const child = spawnNode(script, {
    ipc: true,
    env: {
      PORT: String(port),
      UPSTREAM_PORT: String(options.upstreamPort),
      WORKERS: String(options.workers),
      ROUTER_METRICS: options.metrics === false ? '0' : '1',
    },
    execArgv: options.nodeFlags,
  });
  try {
    const { pids } = await nextMessage<RouterClusterReady>(child, 15_000);
    return {
      url: `http://127.0.0.1:${port}/`,
      cpuMicros: async () =>
        (await Promise.all(pids.map((pid) => processCpuMicros(pid)))).reduce((a, b) => a + b, 0),
      stop: () => stopChild(child),
    };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}
