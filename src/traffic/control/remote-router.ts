import type {
  ListenerFigures,
  ListenerKind,
  RoutingTable,
  Track,
  TrafficRouter,
} from '../../features/routing/traffic-router.js';
import type {
  SampleWindow,
  TrackSample,
  TrafficSampler,
} from '../../features/routing/traffic-samples.js';
import { ControlClient } from './control-client.js';
import {
  controlPaths,
  type RouterHealth,
  type RouterSettings,
  type RouterState,
  type TableChangeAnswer,
  type TablesAnswer,
  type UpgradeAnswer,
} from './control-protocol.js';

/**
 * The control plane's side of the control channel: Ferry's {@link TrafficRouter} port on a
 * `ferry router` process. `apply`/`remove` send a table with the next generation (never below
 * what the router already holds, read at `connect`); `close` only lets go of the channel: the
 * router keeps serving. Its figures and sampler read the router's workers, summed.
 *
 * @example
 * const router = new RemoteRouter(readRouterState(dataDir)!);
 * await router.connect();
 * await router.apply(table);
 */
export class RemoteRouter implements TrafficRouter {
  private readonly client: ControlClient;
  /** The last generation sent; the next change sends one more. */
  private generation = 0;
  private connected: Promise<RouterHealth> | undefined;

  constructor(readonly state: RouterState) {
    this.client = new ControlClient(state);
  }

  /** Reads the router's health and newest generation; rejects when it does not answer. */
  connect(): Promise<RouterHealth> {
    const connecting = this.health().then((health) => {
      this.generation = Math.max(this.generation, health.generation);
      return health;
    });
    this.connected = connecting;
    connecting.catch(() => {
      if (this.connected === connecting) this.connected = undefined;
    });
    return connecting;
  }

  health(): Promise<RouterHealth> {
    return this.client.call('GET', controlPaths.health);
  }

  async apply(table: RoutingTable): Promise<void> {
    const generation = await this.nextGeneration();
    await this.client.call<TableChangeAnswer>('PUT', controlPaths.tables, { generation, table });
  }

  async drain(upstreamId: string, timeoutMs: number, tunnelsMs?: number): Promise<void> {
    await this.client.call('POST', controlPaths.drain, {
      upstreamId,
      timeoutMs,
      ...(tunnelsMs === undefined ? {} : { tunnelsMs }),
    });
  }

  async remove(service: string, environment: string, listener?: ListenerKind): Promise<void> {
    const generation = await this.nextGeneration();
    await this.client.call<TableChangeAnswer>('DELETE', controlPaths.tables, {
      generation,
      service,
      environment,
      ...(listener === undefined ? {} : { listener }),
    });
  }

  /** The tables the router serves now (port 0 asked for: the port it got). */
  async tables(): Promise<readonly RoutingTable[]> {
    return (await this.client.call<TablesAnswer>('GET', controlPaths.tables)).tables;
  }

  figures(service: string, environment: string, listener?: ListenerKind): Promise<ListenerFigures> {
    const query = new URLSearchParams({ service, environment, listener: listener ?? 'main' });
    return this.client.call('GET', `${controlPaths.figures}?${query.toString()}`);
  }

  /** Windows in every worker of the router; `open` returns at once, `read` waits for the open. */
  get sampler(): RemoteSampler {
    return {
      open: (service, environment, options = {}) => this.openWindow(service, environment, options),
    };
  }

  /** Runs the workers with these settings (replacing them one by one when they differ). */
  async configure(settings: RouterSettings): Promise<void> {
    await this.client.call('PUT', controlPaths.settings, settings);
  }

  /** Replaces every worker with a fresh one running the code on disk, without refusing a request. */
  async upgrade(): Promise<readonly number[]> {
    return (await this.client.call<UpgradeAnswer>('POST', controlPaths.upgrade)).workers;
  }

  /** Prometheus text of the router's series, summed over its workers. */
  metricsText(): Promise<string> {
    return this.client.text('GET', controlPaths.metrics);
  }

  /** Closes the router's listeners and ends the process (`ferry router stop`). */
  async shutdown(): Promise<void> {
    await this.client.call('POST', controlPaths.shutdown);
  }

  /** Lets go of the channel; the router keeps serving. */
  async close(): Promise<void> {
    await this.client.close();
  }

  /** One above the newest generation the router or this client knows. */
  private async nextGeneration(): Promise<number> {
    await (this.connected ?? this.connect());
    this.generation++;
    return this.generation;
  }

  private openWindow(
    service: string,
    environment: string,
    options: { readonly maxLatencySamples?: number },
  ): RemoteSampleWindow {
    const cap = options.maxLatencySamples;
    if (cap !== undefined && (!Number.isInteger(cap) || cap < 0)) {
      throw new RangeError(`maxLatencySamples must be a whole number of 0 or more, got ${cap}`);
    }
    const opening = this.client.call<{ id: string }>('POST', controlPaths.windows, {
      service,
      environment,
      ...options,
    });
    // Read or close surface the failure; unobserved it must not crash the process.
    opening.catch(() => undefined);
    let closing: Promise<unknown> | undefined;
    const path = (id: string) => `${controlPaths.windows}/${encodeURIComponent(id)}`;
    return {
      opened: opening.then(() => undefined),
      read: async () => {
        const { id } = await opening;
        // A read after close answers what the window held when it closed.
        if (closing !== undefined) await closing;
        return this.client.call<Partial<Record<Track, TrackSample>>>('GET', path(id));
      },
      close: () => {
        closing ??= opening
          .then(({ id }) => this.client.call('DELETE', path(id)))
          .catch(() => undefined);
      },
    };
  }
}

/** A window in a router process: counting starts once `opened` resolves (the router got it). */
export interface RemoteSampleWindow extends SampleWindow {
  readonly opened: Promise<void>;
}

/** The sampler of a router process; its windows say when they started counting. */
export interface RemoteSampler extends TrafficSampler {
  open(
    service: string,
    environment: string,
    options?: { readonly maxLatencySamples?: number },
  ): RemoteSampleWindow;
}
