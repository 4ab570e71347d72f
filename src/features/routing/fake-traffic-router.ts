import { FerryError } from '../../errors/ferry-error.js';
import type {
  ListenerKind,
  RoutingTable,
  Track,
  TrafficRouter,
  Upstream,
} from './traffic-router.js';

/** One call of {@link TrafficRouter.drain}, as the fake recorded it. */
export interface DrainCall {
  readonly upstreamId: string;
  readonly timeoutMs: number;
  readonly tunnelsMs?: number;
}

/**
 * TrafficRouter in memory, for tests of its callers: no listeners, no requests. It keeps the
 * current table of each service/environment listener and what was asked of it, for assertions,
 * and refuses what the real router refuses (a listen address another listener holds).
 *
 * @example
 * const router = new FakeTrafficRouter();
 * await controller.deploy(...);
 * expect(router.tableOf('web', 'prod')?.canaryWeight).toBe(10);
 * expect(router.drained()).toEqual(['web-1']);
 */
export class FakeTrafficRouter implements TrafficRouter {
  private readonly tables = new Map<string, RoutingTable>();
  private readonly applied: RoutingTable[] = [];
  private readonly drainCalls: DrainCall[] = [];
  private readonly removedKeys: string[] = [];
  private readonly heldDrains: (() => void)[] = [];
  private nextApplyError: Error | undefined;
  private holding = false;
  private closed = false;

  async apply(table: RoutingTable): Promise<void> {
    const error = this.nextApplyError;
    this.nextApplyError = undefined;
    if (error) throw error;
    const key = keyOf(table.service, table.environment, table.listener);
    const holder = this.holderOf(table, key);
    if (holder) {
      const { host, port } = table.listen;
      throw new FerryError(
        'conflict',
        `${table.service}/${table.environment}: cannot listen on ${host}:${port} (EADDRINUSE); ` +
          `held by ${holder.service}/${holder.environment}`,
        { extra: { listen: table.listen } },
      );
    }
    this.tables.set(key, table);
    this.applied.push(table);
  }

  /** Resolves at once, unless {@link holdDrains} holds it until {@link releaseDrains}. */
  drain(upstreamId: string, timeoutMs: number, tunnelsMs?: number): Promise<void> {
    this.drainCalls.push({
      upstreamId,
      timeoutMs,
      ...(tunnelsMs !== undefined ? { tunnelsMs } : {}),
    });
    if (!this.holding) return Promise.resolve();
    return new Promise((resolve) => this.heldDrains.push(resolve));
  }

  async remove(service: string, environment: string, listener?: ListenerKind): Promise<void> {
    const key = keyOf(service, environment, listener);
    if (this.tables.delete(key)) this.removedKeys.push(key);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.tables.clear();
    this.releaseDrains();
  }

  // Read accessors for assertions.

  /** The current table of a listener (default `main`); undefined when none or removed. */
  tableOf(service: string, environment: string, listener?: ListenerKind): RoutingTable | undefined {
    return this.tables.get(keyOf(service, environment, listener));
  }

  /** Ids of the upstreams of one track in the current table of a listener (default `main`). */
  upstreamsOf(
    service: string,
    environment: string,
    track: Track = 'stable',
    listener?: ListenerKind,
  ): string[] {
    const upstreams: readonly Upstream[] =
      this.tableOf(service, environment, listener)?.backends[track] ?? [];
    return upstreams.map((upstream) => upstream.id);
  }

  /** Every table applied, oldest first, failed applies left out. */
  history(): readonly RoutingTable[] {
    return [...this.applied];
  }

  /** Upstream ids drained, in call order. */
  drained(): string[] {
    return this.drainCalls.map((call) => call.upstreamId);
  }

  /** Every drain call with its timeouts, in call order. */
  drains(): readonly DrainCall[] {
    return [...this.drainCalls];
  }

  /** Listeners removed, as `service/environment/listener`, in call order. */
  removed(): string[] {
    return this.removedKeys.map((key) => key.split('\u0000').join('/'));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // Controls.

  /** The next {@link apply} rejects with `error` and changes nothing; later ones succeed. */
  failNextApply(error: Error = new FerryError('conflict', 'cannot listen (fake)')): void {
    this.nextApplyError = error;
  }

  /** Drains from now on stay pending until {@link releaseDrains} (requests still in flight). */
  holdDrains(): void {
    this.holding = true;
  }

  /** Resolves every pending drain and stops holding new ones. */
  releaseDrains(): void {
    this.holding = false;
    for (const resolve of this.heldDrains.splice(0)) resolve();
  }

  /** Drains waiting for {@link releaseDrains}. */
  get pendingDrains(): number {
    return this.heldDrains.length;
  }

  /** Another listener's table on the same fixed address (port 0 picks a free port: none). */
  private holderOf(table: RoutingTable, key: string): RoutingTable | undefined {
    if (table.listen.port === 0) return undefined;
    for (const [other, current] of this.tables) {
      const { host, port } = current.listen;
      if (other !== key && port === table.listen.port && sameHost(host, table.listen.host)) {
        return current;
      }
    }
    return undefined;
  }
}

function keyOf(service: string, environment: string, listener?: ListenerKind): string {
  return `${service}\u0000${environment}\u0000${listener ?? 'main'}`;
}

/** A wildcard address overlaps every other of the port. */
function sameHost(a: string, b: string): boolean {
  const any = (host: string) => host === '0.0.0.0' || host === '::' || host === '';
  return a === b || any(a) || any(b);
}
