import type {
  ListenerFigures,
  ListenerKind,
  RoutingTable,
  TrafficRouter,
} from '../../features/routing/traffic-router.js';
import type { TrafficSampler } from '../../features/routing/traffic-samples.js';
import type { RouterHealth, RouterSettings, RouterState } from './control-protocol.js';

/**
 * The control plane's side of the control channel: Ferry's {@link TrafficRouter} port on a
 * `ferry router` process. `apply`/`remove` send a table with the next generation (never below
 * what the router already holds, read at `connect`); `close` only lets go of the channel: the
 * router keeps serving. Its figures and sampler read the router's workers, summed.
 *
 * SEAM: signatures fixed by the lead; the body is built in the router-process work.
 */
export class RemoteRouter implements TrafficRouter {
  constructor(readonly state: RouterState) {}

  /** Reads the router's health and newest generation; rejects when it does not answer. */
  connect(): Promise<RouterHealth> {
    throw new Error('RemoteRouter.connect: not built yet');
  }

  health(): Promise<RouterHealth> {
    throw new Error('RemoteRouter.health: not built yet');
  }

  apply(table: RoutingTable): Promise<void> {
    void table;
    throw new Error('RemoteRouter.apply: not built yet');
  }

  drain(upstreamId: string, timeoutMs: number, tunnelsMs?: number): Promise<void> {
    void upstreamId;
    void timeoutMs;
    void tunnelsMs;
    throw new Error('RemoteRouter.drain: not built yet');
  }

  remove(service: string, environment: string, listener?: ListenerKind): Promise<void> {
    void service;
    void environment;
    void listener;
    throw new Error('RemoteRouter.remove: not built yet');
  }

  /** The tables the router serves now. */
  tables(): Promise<readonly RoutingTable[]> {
    throw new Error('RemoteRouter.tables: not built yet');
  }

  figures(service: string, environment: string, listener?: ListenerKind): Promise<ListenerFigures> {
    void service;
    void environment;
    void listener;
    throw new Error('RemoteRouter.figures: not built yet');
  }

  get sampler(): TrafficSampler {
    throw new Error('RemoteRouter.sampler: not built yet');
  }

  /** Runs the workers with these settings (replacing them one by one when they differ). */
  configure(settings: RouterSettings): Promise<void> {
    void settings;
    throw new Error('RemoteRouter.configure: not built yet');
  }

  /** Replaces every worker with a fresh one running the code on disk, without refusing a request. */
  upgrade(): Promise<readonly number[]> {
    throw new Error('RemoteRouter.upgrade: not built yet');
  }

  /** Prometheus text of the router's series, summed over its workers. */
  metricsText(): Promise<string> {
    throw new Error('RemoteRouter.metricsText: not built yet');
  }

  /** Closes the router's listeners and ends the process (`ferry router stop`). */
  shutdown(): Promise<void> {
    throw new Error('RemoteRouter.shutdown: not built yet');
  }

  /** Lets go of the channel; the router keeps serving. */
  async close(): Promise<void> {}
}
