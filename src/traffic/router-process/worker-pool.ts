import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { FerryError } from '../../errors/ferry-error.js';
import type { RouterSettings } from '../control/control-protocol.js';
import { WorkerHandle } from './worker-handle.js';

/** How long a fresh worker may take to answer and load every table. */
const startTimeoutMs = 15_000;

/** How many workers settings ask for. */
export function workerCount(settings: RouterSettings): number {
  return settings.workers === 'auto' ? availableParallelism() : settings.workers;
}

export interface WorkerPoolOptions {
  /** The worker entry file (in dist). */
  readonly exec: string;
  readonly log: Logger;
  /** Brings a fresh worker up to date (tables, open windows) before it counts as serving. */
  readonly prepare: (worker: WorkerHandle) => Promise<void>;
  /** A worker left on purpose; `final` is what its last request (retire or close) answered. */
  readonly onRetired: (worker: WorkerHandle, final: unknown) => void;
  /** Runs a change of the workers' state after the primary's other changes (its queue). */
  readonly serialize: <T>(change: () => Promise<T>) => Promise<T>;
}

/**
 * The router's worker processes: forked by Node's cluster with each worker accepting on the
 * shared listening sockets itself (SCHED_NONE), replaced all at once on upgrade (fresh ones serve
 * before old ones stop accepting), and one by one when one dies.
 */
export class WorkerPool {
  /** Workers that take the primary's changes and count as the router's. */
  serving: WorkerHandle[] = [];
  /** Old workers finishing their connections: still counted in figures. */
  readonly retiring = new Set<WorkerHandle>();
  private stopped = false;
  private settings: RouterSettings | undefined;

  constructor(private readonly options: WorkerPoolOptions) {
    // Before the first fork: workers accept connections themselves, so an upgrade can hand the
    // sockets over without the primary in the path of any connection.
    cluster.schedulingPolicy = cluster.SCHED_NONE;
    cluster.setupPrimary({ exec: options.exec, execArgv: workerNodeFlags(process.env) });
  }

  /** Every worker the figures come from: serving and retiring. */
  all(): WorkerHandle[] {
    return [...this.serving, ...this.retiring];
  }

  /** Starts the workers `settings` asks for; resolves once all serve every table. */
  async start(settings: RouterSettings): Promise<void> {
    this.settings = settings;
    this.serving = await this.forkPrepared(settings, workerCount(settings));
  }

  /**
   * Forks a fresh set with `settings`, waits until each serves every table, then retires the old
   * ones in the background; resolves with the fresh pids. A fresh set that fails to start is
   * stopped and the old one keeps serving.
   */
  async replaceAll(settings: RouterSettings, graceMs: number, cutMs: number): Promise<number[]> {
    const fresh = await this.forkPrepared(settings, workerCount(settings));
    const old = this.serving;
    this.settings = settings;
    this.serving = fresh;
    for (const worker of old) this.retire(worker, graceMs, cutMs);
    return fresh.map((worker) => worker.pid);
  }

  /** Closes every worker (listeners closed gracefully) and resolves once all exited. */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    const all = this.all();
    await Promise.all(
      all.map(async (worker) => {
        worker.leaving = true;
        await worker.request({ op: 'close', graceMs }).catch(() => undefined);
        await Promise.race([worker.exited, delay(graceMs + 2_000)]);
        if (!worker.worker.isDead()) worker.worker.process.kill('SIGKILL');
      }),
    );
  }

  private retire(worker: WorkerHandle, graceMs: number, cutMs: number): void {
    worker.leaving = true;
    this.retiring.add(worker);
    worker
      .request({ op: 'retire', graceMs, cutMs })
      .then(
        (final) => this.options.onRetired(worker, final),
        (error: unknown) =>
          this.options.log.warn({ worker: worker.pid, err: error }, 'router worker retire failed'),
      )
      .finally(() => {
        this.retiring.delete(worker);
        setTimeout(() => {
          if (!worker.worker.isDead()) worker.worker.process.kill('SIGKILL');
        }, 2_000).unref();
      });
  }

  private async forkPrepared(settings: RouterSettings, count: number): Promise<WorkerHandle[]> {
    const started = await Promise.allSettled(
      Array.from({ length: count }, () => this.forkOne(settings)),
    );
    const failed = started.find((result) => result.status === 'rejected');
    if (failed === undefined) {
      return started.map((result) => (result as PromiseFulfilledResult<WorkerHandle>).value);
    }
    for (const result of started) {
      if (result.status === 'fulfilled') {
        result.value.leaving = true;
        result.value.worker.process.kill('SIGKILL');
      }
    }
    throw (failed as PromiseRejectedResult).reason;
  }

  private async forkOne(settings: RouterSettings): Promise<WorkerHandle> {
    const handle = new WorkerHandle(
      cluster.fork({ FERRY_ROUTER_SETTINGS: JSON.stringify(settings) }),
    );
    const died = handle.exited.then(() => {
      throw new FerryError('internal', `router worker ${handle.pid} exited while starting`);
    });
    const timeout = delay(startTimeoutMs).then(() => {
      throw new FerryError(
        'internal',
        `router worker ${handle.pid} did not start in ${startTimeoutMs} ms`,
      );
    });
    try {
      await Promise.race([handle.hello.then(() => this.options.prepare(handle)), died, timeout]);
    } catch (error) {
      handle.leaving = true;
      handle.worker.process.kill('SIGKILL');
      throw error;
    }
    void handle.exited.then(() => this.onExit(handle));
    return handle;
  }

  private onExit(handle: WorkerHandle): void {
    if (handle.leaving || this.stopped) return;
    const { exitCode, signalCode } = handle.worker.process;
    this.options.log.error(
      { worker: handle.pid, exitCode, signal: signalCode },
      'router worker died; starting another',
    );
    this.serving = this.serving.filter((worker) => worker !== handle);
    const settings = this.settings;
    if (settings === undefined) return;
    // A short pause, so a worker that cannot start does not spin the CPU.
    void delay(500)
      .then(() =>
        this.options.serialize(async () => {
          if (this.stopped || this.settings !== settings) return;
          const fresh = await this.forkOne(settings);
          this.serving = [...this.serving, fresh];
          this.options.log.info({ worker: fresh.pid }, 'router worker started in its place');
        }),
      )
      .catch((error: unknown) =>
        this.options.log.error({ err: error }, 'router worker could not be replaced'),
      );
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * Node flags of the workers: the primary's own, plus `FERRY_ROUTER_NODE_FLAGS` (space-separated)
 * when set; otherwise a young generation of 16 MiB, which the router's short-lived per-request
 * objects fill quickly (fewer scavenges: measured in `npm run bench -- router`).
 */
export function workerNodeFlags(env: NodeJS.ProcessEnv): string[] {
  const extra = env.FERRY_ROUTER_NODE_FLAGS ?? '--max-semi-space-size=16';
  return [...process.execArgv, ...extra.split(' ').filter((flag) => flag !== '')];
}
