import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { FerryError } from '../../errors/ferry-error.js';
import type {
  ListenerFigures,
  ListenerKind,
  RoutingTable,
  TrafficRouter,
} from '../../features/routing/traffic-router.js';
import type { TrafficSampler } from '../../features/routing/traffic-samples.js';
import type { RouterHealth, RouterSettings, RouterState } from './control-protocol.js';
import { killRouterGroup, killRouterLeftovers, readRouterState } from './router-state-file.js';
import { isLiveProcess } from '../../runtime/local/proc-stat.js';

/** What the supervisor needs of a control channel: {@link RemoteRouter}'s methods. */
export interface RouterChannel extends TrafficRouter {
  readonly state: RouterState;
  readonly sampler: TrafficSampler;
  connect(): Promise<RouterHealth>;
  health(): Promise<RouterHealth>;
  tables(): Promise<readonly RoutingTable[]>;
  figures(service: string, environment: string, listener?: ListenerKind): Promise<ListenerFigures>;
  configure(settings: RouterSettings): Promise<void>;
  upgrade(): Promise<readonly number[]>;
  metricsText(): Promise<string>;
}

export interface RouterSupervisorOptions {
  readonly dataDir: string;
  /** ferry.yaml `router.*`, sent to an adopted router and given to a spawned one. */
  readonly settings: RouterSettings;
  readonly logger: Logger;
  /** This server's build: an adopted router running another one gets fresh workers. */
  readonly build?: string;
  /** `ferry server --upgrade`: replace the adopted router's workers whatever their build. */
  readonly upgrade?: boolean;
  /** Starts a router process for the data folder (its own process group) once it serves. */
  readonly spawn: (dataDir: string, settings: RouterSettings) => Promise<RouterState>;
  /** A control channel to a router. */
  readonly channel: (state: RouterState) => RouterChannel;
  /** How often the router's health is read. Default 1 s. */
  readonly checkEveryMs?: number;
  /** How long a router named in router.json may take to answer before it is replaced. Default 5 s. */
  readonly adoptWaitMs?: number;
  /** How long a health read may take before it counts as failed. Default 2 s. */
  readonly healthTimeoutMs?: number;
}

/** How {@link RouterSupervisor.start} found its router. */
export type RouterOrigin = 'adopted' | 'spawned';

/**
 * Keeps a `ferry router` process serving the data folder's routes while `ferry server` runs, and
 * is the server's {@link TrafficRouter}. On start it adopts the router `router.json` names when
 * that one answers with its token (sending ferry.yaml's router settings, and upgrading its
 * workers when their build is not this server's, or when asked), and spawns one otherwise. Every
 * second it reads the router's health; a router that died is replaced by a fresh one, which
 * serves its persisted tables at once, and is then sent every table this server applied.
 *
 * The router outlives the server: {@link close} lets go of the control channel and stops
 * watching, nothing more, so a graceful stop, a `kill -9`, a crash or an upgrade of the server
 * never refuses a request; the next server adopts the same router.
 */
export class RouterSupervisor implements TrafficRouter {
  /** The tables this server applied (and not removed since), re-sent to a replacement router. */
  private readonly sent = new Map<string, RoutingTable>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private checking: Promise<void> | undefined;
  private failedChecks = 0;
  private failedSpawns = 0;

  private constructor(
    private readonly options: RouterSupervisorOptions,
    private current: RouterChannel,
    /** Whether this server adopted a running router or spawned one. */
    readonly origin: RouterOrigin,
    /** The router's health when this server took it on. */
    readonly health: RouterHealth,
  ) {}

  /**
   * Adopts the data folder's router or spawns one, then watches it. `beforeSpawn` runs only when
   * a router is to be spawned (the server checks that the routes it will open are free).
   */
  static async start(
    options: RouterSupervisorOptions,
    beforeSpawn: () => Promise<void> = async () => undefined,
  ): Promise<RouterSupervisor> {
    const { logger } = options;
    const adopted = await adopt(options);
    let supervisor: RouterSupervisor;
    if (adopted) {
      const { channel, health } = adopted;
      logger.info({ pid: health.pid, workers: health.workers }, 'adopted the running router');
      await channel.configure(options.settings);
      const stale = options.build !== undefined && health.build !== options.build;
      if (options.upgrade === true || stale) {
        const workers = await channel.upgrade();
        logger.info(
          { pid: health.pid, from: health.workers, to: workers, build: health.build },
          'replaced the router workers with the code on disk',
        );
      }
      supervisor = new RouterSupervisor(options, channel, 'adopted', health);
    } else {
      await beforeSpawn();
      const { channel, health } = await spawnAndConnect(options);
      logger.info({ pid: health.pid, workers: health.workers }, 'started the router');
      supervisor = new RouterSupervisor(options, channel, 'spawned', health);
    }
    supervisor.schedule();
    return supervisor;
  }

  /** The control channel of the router serving now. */
  get channel(): RouterChannel {
    return this.current;
  }

  /**
   * Sends a table. A router that cannot open its listener answers `conflict`: the error carries
   * the table's `listen`, as the in-process router's did, so RouterSync records a route failure.
   */
  async apply(table: RoutingTable): Promise<void> {
    this.sent.set(keyOf(table.service, table.environment, table.listener), table);
    try {
      await this.current.apply(table);
    } catch (error) {
      if (!(error instanceof FerryError) || error.code !== 'conflict') throw error;
      if (error.extra['listen'] !== undefined) throw error;
      throw new FerryError('conflict', error.message, {
        cause: error,
        extra: { ...error.extra, listen: table.listen },
      });
    }
  }

  async remove(service: string, environment: string, listener?: ListenerKind): Promise<void> {
    this.sent.delete(keyOf(service, environment, listener));
    await this.current.remove(service, environment, listener);
  }

  /**
   * Waits for the upstream's requests in flight. A router that cannot be reached has none this
   * server can wait for: the drain ends (the instance may then stop) instead of failing.
   */
  async drain(upstreamId: string, timeoutMs: number, tunnelsMs?: number): Promise<void> {
    try {
      await this.current.drain(upstreamId, timeoutMs, tunnelsMs);
    } catch (error) {
      this.options.logger.warn({ err: error, upstreamId }, 'the router did not answer a drain');
    }
  }

  /** The tables the router serves now. */
  tables(): Promise<readonly RoutingTable[]> {
    return this.current.tables();
  }

  figures(service: string, environment: string, listener?: ListenerKind): Promise<ListenerFigures> {
    return this.current.figures(service, environment, listener);
  }

  /** Sample windows on the router serving now (a window of a router that died reads nothing). */
  readonly sampler: TrafficSampler = {
    open: (service, environment, options) =>
      this.current.sampler.open(service, environment, options),
  };

  /** The router's Prometheus series; empty (with a warning) while it cannot be reached. */
  async metricsText(): Promise<string> {
    try {
      return await this.current.metricsText();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'the router did not answer /metrics');
      return '';
    }
  }

  /** Stops watching and lets go of the control channel; the router keeps serving. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.checking;
    await this.current.close();
  }

  /**
   * Reads the router's health once; replaces a router whose process is gone. A router that is
   * alive but does not answer is left alone (it may still serve traffic) and logged.
   */
  async check(): Promise<void> {
    this.checking ??= this.checkOnce().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async checkOnce(): Promise<void> {
    const { logger } = this.options;
    try {
      await withTimeout(this.current.health(), this.options.healthTimeoutMs ?? 2_000);
      if (this.failedChecks > 0) logger.info('the router answers again');
      this.failedChecks = 0;
      return;
    } catch (error) {
      if (isLiveProcess(this.current.state.pid)) {
        this.failedChecks += 1;
        if (this.failedChecks === 1 || this.failedChecks % 30 === 0)
          logger.warn({ err: error, pid: this.current.state.pid }, 'the router does not answer');
        return;
      }
    }
    if (this.closed) return;
    await this.replace();
  }

  /** Spawns a router in place of one that died, and sends it every table this server applied. */
  private async replace(): Promise<void> {
    const { logger } = this.options;
    const died = this.current.state.pid;
    const leftovers = killRouterLeftovers(died);
    if (leftovers.length > 0) logger.warn({ died, leftovers }, 'killed workers of the dead router');
    const { channel, health } = await spawnAndConnect(this.options);
    const previous = this.current;
    this.current = channel;
    this.failedChecks = 0;
    await previous.close().catch(() => undefined);
    logger.warn({ died, pid: health.pid }, 'the router process died: started a new one');
    for (const table of this.sent.values()) {
      await channel.apply(table).catch((error: unknown) => {
        logger.warn({ err: error, service: table.service }, 'the new router refused a table');
      });
    }
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.check()
        .then(() => (this.failedSpawns = 0))
        .catch((error: unknown) => {
          // Tried again every check; logged now and then (a full disk must not flood the log).
          if (this.failedSpawns++ % 30 === 0)
            this.options.logger.error({ err: error }, 'could not start a new router');
        })
        .finally(() => this.schedule());
    }, this.options.checkEveryMs ?? 1_000);
    this.timer.unref();
  }
}

/**
 * The router `router.json` names, when its process lives and answers with the token (a router
 * still starting gets `adoptWaitMs`). A router process that never answers is killed, so the one
 * spawned in its place can open the routes.
 */
async function adopt(
  options: RouterSupervisorOptions,
): Promise<{ channel: RouterChannel; health: RouterHealth } | undefined> {
  const state = readRouterState(options.dataDir);
  if (!state || !isLiveProcess(state.pid)) return undefined;
  const channel = options.channel(state);
  const deadline = Date.now() + (options.adoptWaitMs ?? 5_000);
  for (;;) {
    try {
      const health = await withTimeout(channel.connect(), options.healthTimeoutMs ?? 2_000);
      return { channel, health };
    } catch (error) {
      if (Date.now() < deadline && isLiveProcess(state.pid)) {
        await sleep(200);
        continue;
      }
      await channel.close().catch(() => undefined);
      if (await killRouterGroup(state.pid))
        options.logger.warn(
          { err: error, pid: state.pid },
          'the router in router.json did not answer: killed it to start a new one',
        );
      return undefined;
    }
  }
}

async function spawnAndConnect(
  options: RouterSupervisorOptions,
): Promise<{ channel: RouterChannel; health: RouterHealth }> {
  const state = await options.spawn(options.dataDir, options.settings);
  const channel = options.channel(state);
  return { channel, health: await channel.connect() };
}

function keyOf(service: string, environment: string, listener: ListenerKind = 'main'): string {
  return `${service}/${environment}/${listener}`;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
