import { Agent } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Upstream } from '../../features/routing/traffic-router.js';
import { UpstreamClient } from './upstream-client.js';

/** How the keep-alive connections to each upstream behave. */
export interface ConnectionOptions {
  /**
   * How long an idle connection stays open; a shorter `Keep-Alive: timeout` the upstream
   * announces wins.
   */
  readonly idleTimeoutMs: number;
}

/**
 * One upstream as the hot path sees it: its address, its own pool of keep-alive connections
 * (upstream-client.ts: a parser and request path made for the router, cheaper than undici's or
 * `http.request`'s) and the number of requests in flight to it. Shared by every compiled table
 * that routes to the same upstream id.
 */
export class UpstreamTarget {
  readonly client: UpstreamClient;
  /** Keep-alive connections of the uploads the client does not send (upload-request.ts). */
  readonly agent: Agent;
  readonly host: string;
  readonly port: number;
  /** Host field for clients that sent none (HTTP/1.0). */
  readonly hostHeader: string;
  /** Requests sent to this upstream whose response has not finished. */
  inFlight = 0;
  /** Compiled tables that route to this target; 0 means it only serves requests in flight. */
  tables = 0;
  /**
   * Set once a drain closed the tunnels: one whose handshake was already on its way is closed
   * as soon as it connects. Cleared when a table routes to the target again.
   */
  tunnelsClosed = false;
  private idleWaiters: (() => void)[] = [];
  /** The upstream side of each Upgrade connection (tunnel or handshake); each counts in flight. */
  private readonly tunnels = new Set<Duplex>();

  constructor(
    readonly upstream: Upstream,
    options: ConnectionOptions,
  ) {
    this.host = upstream.host;
    this.port = upstream.port;
    this.hostHeader = `${upstream.host.includes(':') ? `[${upstream.host}]` : upstream.host}:${upstream.port}`;
    this.client = new UpstreamClient(upstream.host, upstream.port, {
      idleTimeoutMs: options.idleTimeoutMs,
    });
    // Idle sockets close after the same time as the client's (a shorter `Keep-Alive: timeout` wins).
    this.agent = new Agent({ keepAlive: true, timeout: options.idleTimeoutMs });
  }

  begin(): void {
    this.inFlight++;
  }

  end(): void {
    if (--this.inFlight === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** Resolves as soon as no request is in flight to this upstream. */
  whenIdle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Tracks the upstream socket of an Upgrade request until it closes. */
  addTunnel(socket: Duplex): void {
    if (this.tunnelsClosed) {
      socket.destroy();
      return;
    }
    this.tunnels.add(socket);
    socket.once('close', () => this.tunnels.delete(socket));
  }

  /**
   * Cuts every tunnel to this upstream, and any that connects from now on: the client sees its
   * connection close and reconnects through the router to a live instance.
   */
  closeTunnels(): void {
    this.tunnelsClosed = true;
    for (const socket of this.tunnels) socket.destroy();
  }

  /**
   * Closes the keep-alive connections: the idle ones now, each busy one once its request is
   * done; later requests open new ones.
   */
  closeIdleSockets(): void {
    this.client.closeIdle();
    // An upload still in flight keeps its socket until it idles out.
    for (const sockets of Object.values(this.agent.freeSockets)) {
      for (const socket of sockets ?? []) socket.destroy();
    }
  }

  /** Closes every connection to this upstream, cutting requests in flight. */
  destroy(): void {
    this.client.destroy();
    this.agent.destroy();
  }
}
