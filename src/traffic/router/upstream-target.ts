import { Agent, type AgentOptions } from 'node:http';
import type { Upstream } from '../../features/routing/traffic-router.js';

/**
 * One upstream as the hot path sees it: its address, its own keep-alive agent and the number of
 * requests in flight to it. Shared by every compiled table that routes to the same upstream id.
 */
export class UpstreamTarget {
  readonly agent: Agent;
  readonly host: string;
  readonly port: number;
  /** Host field for clients that sent none (HTTP/1.0). */
  readonly hostHeader: string;
  /** Requests sent to this upstream whose response has not finished. */
  inFlight = 0;
  /** Compiled tables that route to this target; 0 means it only serves requests in flight. */
  tables = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    readonly upstream: Upstream,
    agentOptions: AgentOptions,
  ) {
    this.host = upstream.host;
    this.port = upstream.port;
    this.hostHeader = `${upstream.host.includes(':') ? `[${upstream.host}]` : upstream.host}:${upstream.port}`;
    this.agent = new Agent(agentOptions);
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

  /** Closes the pooled keep-alive sockets; sockets carrying a request are left alone. */
  closeIdleSockets(): void {
    for (const sockets of Object.values(this.agent.freeSockets)) {
      for (const socket of sockets ?? []) socket.destroy();
    }
  }

  /** Closes every socket to this upstream. */
  destroy(): void {
    this.agent.destroy();
  }
}
