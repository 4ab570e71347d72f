import type { Logger } from 'pino';
import { AggregatorRegistry } from 'prom-client';
import type {
  ListenerFigures,
  ListenerKind,
  RoutingTable,
} from '../../features/routing/traffic-router.js';
import type { Track } from '../../features/routing/traffic-router.js';
import type { TrackSample } from '../../features/routing/traffic-samples.js';
import type {
  RouterHealth,
  RouterSettings,
  TableChangeAnswer,
  TablesAnswer,
} from '../control/control-protocol.js';
import { ChangeQueue } from './change-queue.js';
import { listenConflict, probeListen, waitUntilFree } from './listen-probe.js';
import { figuresOf, mergeDetails, retiredLatencies } from './merged-figures.js';
import { routerBuild } from './router-build.js';
import { tableKey, type TableBook } from './table-book.js';
import type { TablesWriter } from './tables-writer.js';
import { WindowBook } from './window-book.js';
import type { WorkerHandle } from './worker-handle.js';
import type {
  WorkerDetail,
  WorkerFinal,
  WorkerLoadResult,
  WorkerWindowRead,
} from './worker-messages.js';
import { WorkerPool } from './worker-pool.js';

/** How long a retired worker lets idle keep-alive connections be, and when it cuts the rest. */
const retireGraceMs = 3_000;
const retireCutMs = 30_000;

export interface RouterPrimaryOptions {
  readonly workerEntry: string;
  readonly settings: RouterSettings;
  readonly book: TableBook;
  readonly writer: TablesWriter;
  readonly log: Logger;
}

/**
 * The `ferry router` primary: holds the tables with their generations, keeps every worker serving
 * them, and answers the control channel by asking the workers and summing what they say.
 */
export class RouterPrimary {
  readonly startedAt = new Date().toISOString();
  private readonly queue = new ChangeQueue();
  private readonly windows = new WindowBook();
  private readonly pool: WorkerPool;
  /** Figures of workers that left, by table key. */
  private readonly retired = new Map<string, WorkerDetail>();
  private settings: RouterSettings;

  constructor(private readonly options: RouterPrimaryOptions) {
    this.settings = options.settings;
    this.pool = new WorkerPool({
      exec: options.workerEntry,
      log: options.log,
      prepare: (worker) => this.prepare(worker),
      onRetired: (worker, final) => this.keepFinal(worker, final as WorkerFinal),
      serialize: (change) => this.queue.run(change),
    });
  }

  /** Starts the workers; resolves once they serve every table the book holds. */
  async start(): Promise<void> {
    // A router that just died may still hold its ports for a moment (its workers finishing).
    await Promise.all(
      this.options.book.tables().map(async ({ service, environment, listen }) => {
        const code = await waitUntilFree(listen.host, listen.port, 5_000);
        if (code !== undefined) {
          this.options.log.error(
            { service, environment, listen, code },
            'saved route cannot listen',
          );
        }
      }),
    );
    await this.pool.start(this.settings);
  }

  health(): RouterHealth {
    return {
      pid: process.pid,
      generation: this.options.book.generation,
      workers: this.pool.serving.map((worker) => worker.pid),
      startedAt: this.startedAt,
      build: routerBuild(this.options.workerEntry),
      settings: this.settings,
    };
  }

  tables(): TablesAnswer {
    return { generation: this.options.book.generation, tables: this.options.book.tables() };
  }

  apply(generation: number, requested: RoutingTable): Promise<TableChangeAnswer> {
    return this.queue.run(async () => {
      const { book } = this.options;
      const key = tableKey(requested.service, requested.environment, requested.listener);
      if (!book.accepts(key, generation)) return { applied: false };
      const current = book.get(key)?.table ?? null;
      const table = await this.placed(key, requested, current);
      const done: WorkerHandle[] = [];
      try {
        for (const worker of this.pool.serving) {
          await worker.request({ op: 'apply', table });
          done.push(worker);
        }
      } catch (error) {
        await this.undo(done, table, current);
        throw error;
      }
      book.set(key, { generation, table });
      await this.options.writer.write(book.serialize());
      return { applied: true };
    });
  }

  remove(
    generation: number,
    service: string,
    environment: string,
    listener: ListenerKind = 'main',
  ): Promise<TableChangeAnswer> {
    return this.queue.run(async () => {
      const { book } = this.options;
      const key = tableKey(service, environment, listener);
      if (!book.accepts(key, generation)) return { applied: false };
      await Promise.all(
        this.pool.serving.map((worker) =>
          worker.request({ op: 'remove', service, environment, listener }),
        ),
      );
      book.set(key, { generation, table: null });
      await this.options.writer.write(book.serialize());
      return { applied: true };
    });
  }

  async drain(upstreamId: string, timeoutMs: number, tunnelsMs?: number): Promise<void> {
    await Promise.all(
      this.pool.all().map((worker) =>
        worker
          .request({
            op: 'drain',
            upstreamId,
            timeoutMs,
            ...(tunnelsMs === undefined ? {} : { tunnelsMs }),
          })
          .catch(() => undefined),
      ),
    );
  }

  async figures(
    service: string,
    environment: string,
    listener: ListenerKind = 'main',
  ): Promise<ListenerFigures> {
    const live = await this.askAll<WorkerDetail>({ op: 'detail', service, environment, listener });
    const retired = this.retired.get(tableKey(service, environment, listener));
    return figuresOf(mergeDetails(retired === undefined ? live : [...live, retired]));
  }

  openWindow(service: string, environment: string, maxLatencySamples?: number): Promise<string> {
    return this.queue.run(async () => {
      const window = this.windows.create(service, environment, maxLatencySamples);
      await Promise.all(this.pool.all().map((worker) => this.openIn(worker, window.id)));
      return window.id;
    });
  }

  async readWindow(id: string): Promise<Partial<Record<Track, TrackSample>>> {
    const window = this.windows.get(id);
    if (window.closed !== undefined) return this.windows.read(window, []);
    const live = await this.askAll<WorkerWindowRead>({ op: 'window-read', window: id });
    return this.windows.read(window, live);
  }

  closeWindow(id: string): Promise<void> {
    return this.queue.run(async () => {
      const window = this.windows.get(id);
      if (window.closed !== undefined) return;
      const reads = await this.askAll<WorkerWindowRead | null>({ op: 'window-close', window: id });
      this.windows.close(
        window,
        reads.filter((read): read is WorkerWindowRead => read !== null),
      );
    });
  }

  /** Prometheus text of every worker's registry, summed. */
  async metricsText(): Promise<string> {
    const all = await this.askAll<Parameters<typeof AggregatorRegistry.aggregate>[0][number]>({
      op: 'metrics',
    });
    return AggregatorRegistry.aggregate(all).metrics();
  }

  /** Fresh workers running the code on disk now; resolves with their pids once they serve. */
  upgrade(): Promise<number[]> {
    return this.queue.run(async () => {
      const pids = await this.pool.replaceAll(this.settings, retireGraceMs, retireCutMs);
      this.options.log.info(
        { workers: pids, build: routerBuild(this.options.workerEntry) },
        'router workers upgraded',
      );
      return pids;
    });
  }

  /** Runs with `settings`; workers are replaced when what they run with changes. */
  configure(settings: RouterSettings): Promise<void> {
    return this.queue.run(async () => {
      if (JSON.stringify(settings) === JSON.stringify(this.settings)) return;
      const pids = await this.pool.replaceAll(settings, retireGraceMs, retireCutMs);
      this.settings = settings;
      this.options.log.info({ workers: pids, settings }, 'router settings changed');
    });
  }

  /** Closes every listener gracefully (requests in flight finish, up to `graceMs`). */
  stop(graceMs: number): Promise<void> {
    return this.pool.stop(graceMs);
  }

  private async prepare(worker: WorkerHandle): Promise<void> {
    const result = await worker.request<WorkerLoadResult>({
      op: 'load',
      tables: this.options.book.tables(),
    });
    for (const failed of result.failed) {
      this.options.log.error(
        { worker: worker.pid, ...failed },
        'router worker cannot serve a table',
      );
    }
    await Promise.all(this.windows.open().map((window) => this.openIn(worker, window.id)));
  }

  private openIn(worker: WorkerHandle, id: string): Promise<unknown> {
    const window = this.windows.get(id);
    return worker.request({
      op: 'window-open',
      window: id,
      service: window.service,
      environment: window.environment,
      maxLatencySamples: window.maxLatencySamples,
    });
  }

  private keepFinal(worker: WorkerHandle, final: WorkerFinal): void {
    for (const [key, detail] of Object.entries(final.details)) {
      const before = this.retired.get(key);
      this.retired.set(
        key,
        mergeDetails(before === undefined ? [detail] : [before, detail], retiredLatencies),
      );
    }
    for (const [id, read] of Object.entries(final.windows)) {
      try {
        this.windows.get(id).retired.push(read);
      } catch {
        // Forgotten meanwhile.
      }
    }
    this.options.log.info({ worker: worker.pid }, 'router worker retired');
  }

  /** Asks every worker (serving and retiring); a worker that exits meanwhile is left out. */
  private async askAll<T>(request: Parameters<WorkerHandle['request']>[0]): Promise<T[]> {
    const answers = await Promise.allSettled(
      this.pool.all().map((worker) => worker.request<T>(request)),
    );
    return answers.flatMap((answer) => (answer.status === 'fulfilled' ? [answer.value] : []));
  }

  /**
   * The table with a concrete port (port 0 keeps the port its listener has, or gets a free one),
   * after checking that no other listener of the router, and no other process, holds the address.
   */
  private async placed(
    key: string,
    table: RoutingTable,
    current: RoutingTable | null,
  ): Promise<RoutingTable> {
    const { host, port } = table.listen;
    if (
      current !== null &&
      current.listen.host === host &&
      (port === 0 || port === current.listen.port)
    ) {
      return { ...table, listen: { host, port: current.listen.port } };
    }
    if (port !== 0) {
      const holder = this.options.book
        .tables()
        .find(
          (other) =>
            tableKey(other.service, other.environment, other.listener) !== key &&
            clash(other.listen, table.listen),
        );
      if (holder !== undefined) {
        throw listenConflict(
          table.service,
          table.environment,
          host,
          port,
          'EADDRINUSE',
          `: port ${port} is held by this router for ${holder.service}/${holder.environment} (${holder.listener ?? 'main'})`,
        );
      }
    }
    try {
      const bound = await probeListen(host, port);
      return { ...table, listen: { host, port: bound } };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw listenConflict(table.service, table.environment, host, port, code);
    }
  }

  /** Puts back what the workers that took a failed change served before. */
  private async undo(
    done: readonly WorkerHandle[],
    table: RoutingTable,
    previous: RoutingTable | null,
  ): Promise<void> {
    const { service, environment, listener = 'main' } = table;
    await Promise.all(
      done.map((worker) =>
        worker
          .request(
            previous === null
              ? { op: 'remove', service, environment, listener }
              : { op: 'apply', table: previous },
          )
          .catch(() => undefined),
      ),
    );
  }
}

const wildcards = new Set(['0.0.0.0', '::', '']);

/** Whether two listen addresses would collide. */
function clash(a: RoutingTable['listen'], b: RoutingTable['listen']): boolean {
  return a.port === b.port && (a.host === b.host || wildcards.has(a.host) || wildcards.has(b.host));
}
