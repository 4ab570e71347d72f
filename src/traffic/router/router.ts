import { FerryError } from '../../errors/ferry-error.js';
import type {
  ListenerKind,
  RoutingTable,
  TrafficRouter,
} from '../../features/routing/traffic-router.js';
import { compileTable, releaseTable } from './compiled-table.js';
import { Mirror } from './mirror.js';
import type { ProxySettings, ResponseHook } from './proxy.js';
import { describePortHolder } from './port-holder.js';
import { RouteListener, type ClientTimeouts, type ListenAddress } from './route-listener.js';
import type { RouterMetrics } from './router-metrics.js';
import { TrustedProxies, type Subnet } from './trusted-proxies.js';
import { UpstreamPool } from './upstream-pool.js';

export interface RouterOptions {
  /**
   * How long an upstream may take to send the response head (then 504), and stay silent between
   * body chunks (then the response is cut). Default 60 s.
   */
  readonly responseTimeoutMs?: number;
  /**
   * How long an idle keep-alive socket to an upstream stays pooled. Below the applications'
   * keep-alive timeout (Node's default is 5 s) so the router closes idle sockets first and never
   * reuses one the application is closing; a shorter `Keep-Alive: timeout` from the application
   * wins. Default 4 s.
   */
  readonly idleSocketTimeoutMs?: number;
  /** How long `remove` and `close` wait for requests in flight before cutting them. Default 5 s. */
  readonly closeGraceMs?: number;
  /** Per-response observation point besides `metrics`; see {@link ResponseHook}. */
  readonly onResponse?: ResponseHook;
  /** Prometheus series and snapshots, from `createRouterMetrics(registry)`. */
  readonly metrics?: RouterMetrics;
  /** Mirrored copies in flight at most; more are dropped and counted. Default 64. */
  readonly maxMirrorsInFlight?: number;
  /** How long a mirrored copy may take before it is abandoned. Default 5 s. */
  readonly mirrorTimeoutMs?: number;
  /** Client-side timeouts of every listener (ferry.yaml `router.timeouts`). Default 10 s, 60 s. */
  readonly timeouts?: ClientTimeouts;
  /**
   * Peers whose X-Forwarded-For, -Proto and -Host are kept (ferry.yaml `router.trustedProxies`);
   * from others they are replaced. Default none.
   */
  readonly trustedProxies?: readonly Subnet[];
  /**
   * Plain requests (GET and HEAD without body) are read and answered by the router's own HTTP/1.1
   * code (client-connection.ts) rather than node:http's server, which keeps every other request.
   * Default true.
   */
  readonly requestFastPath?: boolean;
}

/**
 * Ferry's built-in data plane: one HTTP listener per service/environment and listener kind (main,
 * and blue-green's preview), forwarding each request to an upstream of the track its routing
 * table picks (stable, canary or baseline, by match, sticky cookie or weight) over pooled
 * keep-alive connections, copying a share to the canary when mirroring, and tunnelling WebSockets.
 *
 * @example
 * const router = new Router();
 * await router.apply({ service: 'web', environment: 'prod', listen: { host: '127.0.0.1', port: 8080 },
 *   backends: { stable: [{ id: 'web-1', host: '127.0.0.1', port: 9001, version: '1.4.0' }] } });
 */
export class Router implements TrafficRouter {
  private readonly listeners = new Map<string, RouteListener>();
  private readonly pool: UpstreamPool;
  private readonly settings: ProxySettings;
  private readonly closeGraceMs: number;
  private readonly timeouts: ClientTimeouts;
  private readonly fastPath: boolean;

  constructor(options: RouterOptions = {}) {
    this.pool = new UpstreamPool({ idleTimeoutMs: options.idleSocketTimeoutMs ?? 4_000 });
    const onResponse = combine(options.metrics?.onResponse, options.onResponse);
    this.settings = {
      responseTimeoutMs: options.responseTimeoutMs ?? 60_000,
      onResponse,
      onMatch: options.metrics?.onMatch,
      mirror: new Mirror({
        maxInFlight: options.maxMirrorsInFlight ?? 64,
        timeoutMs: options.mirrorTimeoutMs ?? 5_000,
        maxBodyBytes: 1024 * 1024,
        onResponse,
        onSkipped: options.metrics?.onMirrorSkipped,
        onCopy: options.metrics?.onMirrorCopy,
      }),
      trustedProxies: new TrustedProxies(options.trustedProxies ?? []),
    };
    this.closeGraceMs = options.closeGraceMs ?? 5_000;
    this.timeouts = options.timeouts ?? { headersMs: 10_000, idleMs: 60_000 };
    this.fastPath = options.requestFastPath ?? true;
  }

  async apply(table: RoutingTable): Promise<void> {
    const key = listenerKey(table.service, table.environment, table.listener);
    const compiled = compileTable(table, this.pool);
    const current = this.listeners.get(key);
    if (current !== undefined && sameAddress(current.listen, table.listen)) {
      releaseTable(current.swap(compiled), this.pool);
      await current.opened;
      return;
    }
    const listener = new RouteListener(
      table.listen,
      compiled,
      this.settings,
      this.timeouts,
      this.fastPath,
    );
    this.listeners.set(key, listener);
    try {
      await listener.opened;
    } catch (error) {
      if (current === undefined) this.listeners.delete(key);
      else this.listeners.set(key, current);
      releaseTable(compiled, this.pool);
      const { host, port } = table.listen;
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      const held =
        code === 'EADDRINUSE' ? `: port ${port} is held ${describePortHolder(port)}` : '';
      throw new FerryError(
        'conflict',
        `${table.service}/${table.environment}: cannot listen on ${host}:${port} (${code})${held}; ` +
          'choose a free address in routes',
        { cause: error, extra: { listen: table.listen } },
      );
    }
    if (current !== undefined) await this.closeListener(current);
  }

  drain(upstreamId: string, timeoutMs: number, tunnelsMs?: number): Promise<void> {
    return this.pool.drain(upstreamId, timeoutMs, tunnelsMs);
  }

  async remove(service: string, environment: string, kind?: ListenerKind): Promise<void> {
    const key = listenerKey(service, environment, kind);
    const listener = this.listeners.get(key);
    if (listener === undefined) return;
    this.listeners.delete(key);
    await this.closeListener(listener);
  }

  async close(): Promise<void> {
    const listeners = [...this.listeners.values()];
    this.listeners.clear();
    await Promise.all(listeners.map((listener) => this.closeListener(listener)));
    this.pool.destroy();
  }

  /**
   * Hands every listener over to a successor process sharing its sockets (see
   * {@link RouteListener.retire}); resolves once no client connection remains.
   */
  async retire(graceMs: number, cutMs: number): Promise<void> {
    const listeners = [...this.listeners.values()];
    this.listeners.clear();
    await Promise.all(listeners.map((listener) => listener.retire(graceMs, cutMs)));
    this.pool.destroy();
  }

  /** Where a listener of a service/environment is bound; tests ask for port 0 and read it here. */
  address(
    service: string,
    environment: string,
    listener?: ListenerKind,
  ): ListenAddress | undefined {
    return this.listeners.get(listenerKey(service, environment, listener))?.address();
  }

  private async closeListener(listener: RouteListener): Promise<void> {
    await listener.opened.catch(() => undefined);
    await listener.close(this.closeGraceMs);
    releaseTable(listener.table, this.pool);
  }
}

function listenerKey(service: string, environment: string, listener?: ListenerKind): string {
  return `${service}\u0000${environment}\u0000${listener ?? 'main'}`;
}

function combine(
  first: ResponseHook | undefined,
  second: ResponseHook | undefined,
): ResponseHook | undefined {
  if (first === undefined || second === undefined) return first ?? second;
  return (...args) => {
    first(...args);
    second(...args);
  };
}

function sameAddress(a: ListenAddress, b: ListenAddress): boolean {
  return a.host === b.host && a.port === b.port;
}
