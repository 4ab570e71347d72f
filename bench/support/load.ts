import { fileURLToPath } from 'node:url';
import { nextMessage, spawnNode, stopChild } from './child-process.js';

export interface LoadOptions {
  readonly url: string;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly pipelining: number;
}

/** What one autocannon run measured. */
export interface LoadResult {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  /** Connection errors, timeouts and non-2xx responses. */
  readonly failures: number;
}

const worker = fileURLToPath(new URL('./load-worker.js', import.meta.url));

/** Runs autocannon in a child process, so the bench process does not steal its CPU. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const child = spawnNode(worker, { ipc: true });
  try {
    child.send(options);
    return await nextMessage<LoadResult>(child, (options.durationSeconds + 30) * 1_000);
  } finally {
    await stopChild(child);
  }
}
