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
import { waitUntilFree } from './listen-probe.js';
import { figuresOf, mergeDetails } from './merged-figures.js';
import { RetiredFigures } from './retired-figures.js';
import { placeTable } from './place-table.js';
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
  /** Figures of workers that left. */
  private readonly retired = new RetiredFigures();
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
      const table = await placeTable(key, requested, current, book.tables());
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
    // A worker that retired while we asked answered live: its final figures are the same ones.
    const answered = new Set(live.map((answer) => answer.pid));
    const retired = this.retired.of(tableKey(service, environment, listener), answered);
    return figuresOf(mergeDetails([...live.map((answer) => answer.value), ...retired]));
  }

  openWindow(service: string, environment: string, maxLatencySamples?: number): Promise<string> {
    return this.queue.run(async () => {
      const window = this.windows.create(service, environment, maxLatencySamples);
      // A retiring worker may exit meanwhile; its figures were handed over by then.
      await Promise.allSettled(this.pool.all().map((worker) => this.openIn(worker, window.id)));
      return window.id;
    });
  }

  async readWindow(id: string): Promise<Partial<Record<Track, TrackSample>>> {
    const window = this.windows.get(id);
    if (window.closed !== undefined) return this.windows.read(window, []);
    const live = await this.askAll<WorkerWindowRead>({ op: 'window-read', window: id });
    return this.windows.read(
      window,
      live.map((answer) => ({ pid: answer.pid, read: answer.value })),
    );
  }

  closeWindow(id: string): Promise<void> {
    return this.queue.run(async () => {
      const window = this.windows.get(id);
      if (window.closed !== undefined) return;
      const reads = await this.askAll<WorkerWindowRead | null>({ op: 'window-close', window: id });
      this.windows.close(
        window,
        reads.flatMap((read) => (read.value === null ? [] : [{ pid: read.pid, read: read.value }])),
      );
    });
  }

  /** Prometheus text of every worker's registry, summed. */
  async metricsText(): Promise<string> {
    const all = await this.askAll<Parameters<typeof AggregatorRegistry.aggregate>[0][number]>({
      op: 'metrics',
    });
    return AggregatorRegistry.aggregate(all.map((answer) => answer.value)).metrics();
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
    this.retired.keep(worker.pid, final.details);
    for (const [id, read] of Object.entries(final.windows)) {
      try {
        this.windows.get(id).retired.push({ pid: worker.pid, read });
      } catch {
        // Forgotten meanwhile.
      }
    }
    this.options.log.info({ worker: worker.pid }, 'router worker retired');
  }

  /** Asks every worker (serving and retiring); a worker that exits meanwhile is left out. */
  private async askAll<T>(
    request: Parameters<WorkerHandle['request']>[0],
  ): Promise<{ pid: number; value: T }[]> {
    const answers = await Promise.allSettled(
      this.pool
        .all()
        .map(async (worker) => ({ pid: worker.pid, value: await worker.request<T>(request) })),
    );
    return answers.flatMap((answer) => (answer.status === 'fulfilled' ? [answer.value] : []));
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
