import { FerryError } from '../../errors/ferry-error.js';
import type { RoutingTable, TrafficRouter } from '../../features/routing/traffic-router.js';
import { compileTable, releaseTable } from './compiled-table.js';
import type { ProxySettings, ResponseHook } from './proxy.js';
import { RouteListener, type ListenAddress } from './route-listener.js';
import { UpstreamPool } from './upstream-pool.js';

export interface RouterOptions {
  /** Inactivity on an upstream connection that fails the request with 504. Default 60 s. */
  readonly responseTimeoutMs?: number;
  /**
   * How long an idle keep-alive socket to an upstream stays pooled. Below the applications'
   * keep-alive timeout (Node's default is 5 s) so the router closes idle sockets first and never
   * reuses one the application is closing. Default 4 s.
   */
  readonly idleSocketTimeoutMs?: number;
  /** Idle keep-alive sockets kept per upstream. Default 256. */
  readonly maxFreeSockets?: number;
  /** How long `remove` and `close` wait for requests in flight before cutting them. Default 5 s. */
  readonly closeGraceMs?: number;
  /** Per-request observation point, e.g. for metrics; see {@link ResponseHook}. */
  readonly onResponse?: ResponseHook;
}

/**
 * Ferry's built-in data plane: one HTTP listener per service/environment, forwarding each request
 * to an upstream of its routing table over pooled keep-alive connections.
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

  constructor(options: RouterOptions = {}) {
    this.pool = new UpstreamPool({
      keepAlive: true,
      scheduling: 'lifo',
      maxFreeSockets: options.maxFreeSockets ?? 256,
      timeout: options.idleSocketTimeoutMs ?? 4_000,
    });
    this.settings = {
      responseTimeoutMs: options.responseTimeoutMs ?? 60_000,
      onResponse: options.onResponse,
    };
    this.closeGraceMs = options.closeGraceMs ?? 5_000;
  }

  async apply(table: RoutingTable): Promise<void> {
    const key = listenerKey(table.service, table.environment);
    const compiled = compileTable(table, this.pool);
    const current = this.listeners.get(key);
    if (current !== undefined && sameAddress(current.listen, table.listen)) {
      releaseTable(current.swap(compiled), this.pool);
      await current.opened;
      return;
    }
    const listener = new RouteListener(table.listen, compiled, this.settings);
    this.listeners.set(key, listener);
    try {
      await listener.opened;
    } catch (error) {
      if (current === undefined) this.listeners.delete(key);
      else this.listeners.set(key, current);
      releaseTable(compiled, this.pool);
      const { host, port } = table.listen;
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new FerryError(
        'conflict',
        `${table.service}/${table.environment}: cannot listen on ${host}:${port} (${code}); ` +
          'choose a free address in routes',
        { cause: error, extra: { listen: table.listen } },
      );
    }
    if (current !== undefined) await this.closeListener(current);
  }

  drain(upstreamId: string, timeoutMs: number): Promise<void> {
    return this.pool.drain(upstreamId, timeoutMs);
  }

  async remove(service: string, environment: string): Promise<void> {
    const key = listenerKey(service, environment);
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

  /** Where the listener of a service/environment is bound; tests ask for port 0 and read it here. */
  address(service: string, environment: string): ListenAddress | undefined {
    return this.listeners.get(listenerKey(service, environment))?.address();
  }

  private async closeListener(listener: RouteListener): Promise<void> {
    await listener.opened.catch(() => undefined);
    await listener.close(this.closeGraceMs);
    releaseTable(listener.table, this.pool);
  }
}

function listenerKey(service: string, environment: string): string {
  return `${service}\u0000${environment}`;
}

function sameAddress(a: ListenAddress, b: ListenAddress): boolean {
  return a.host === b.host && a.port === b.port;
}
