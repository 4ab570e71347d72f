import type { Upstream } from '../../features/routing/traffic-router.js';
import { UpstreamTarget, type ConnectionOptions } from './upstream-target.js';

/**
 * The upstream targets of all listeners, by upstream id. Compiled tables hold references; a
 * target nobody routes to is destroyed once its last request finished, so its sockets never
 * outlive it.
 */
export class UpstreamPool {
  private readonly targets = new Map<string, UpstreamTarget>();

  constructor(private readonly connections: ConnectionOptions) {}

  /** The target of `upstream`, created on first use; the caller must `release` it later. */
  acquire(upstream: Upstream): UpstreamTarget {
    let target = this.targets.get(upstream.id);
    if (target === undefined || target.host !== upstream.host || target.port !== upstream.port) {
      if (target !== undefined) this.retire(target);
      target = new UpstreamTarget(upstream, this.connections);
      this.targets.set(upstream.id, target);
    }
    target.tables++;
    target.tunnelsClosed = false;
    return target;
  }

  release(target: UpstreamTarget): void {
    if (--target.tables === 0) this.retire(target);
  }

  /**
   * Waits until no request is in flight to `upstreamId` or `timeoutMs` passed, then closes the
   * idle keep-alive sockets to it. Its tunnels (WebSocket) are closed after `tunnelsMs` (at most
   * `timeoutMs`), so once only idle tunnels are left the wait ends then. An unknown id is already
   * drained.
   */
  async drain(upstreamId: string, timeoutMs: number, tunnelsMs = timeoutMs): Promise<void> {
    const target = this.targets.get(upstreamId);
    if (target === undefined) return;
    const tunnels = setTimeout(() => target.closeTunnels(), Math.min(tunnelsMs, timeoutMs));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([target.whenIdle(), timeout]);
    clearTimeout(timer);
    clearTimeout(tunnels);
    target.closeTunnels();
    target.closeIdleSockets();
  }

  /** Closes every socket to every upstream. */
  destroy(): void {
    for (const target of this.targets.values()) target.destroy();
    this.targets.clear();
  }

  private retire(target: UpstreamTarget): void {
    void target.whenIdle().then(() => {
      if (target.tables > 0) return;
      target.destroy();
      if (this.targets.get(target.upstream.id) === target) this.targets.delete(target.upstream.id);
    });
  }
}
