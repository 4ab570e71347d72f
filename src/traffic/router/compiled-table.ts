import type { IncomingMessage } from 'node:http';
import type { RoutingTable, Track, Upstream } from '../../features/routing/traffic-router.js';
import { RequestInspector } from './request-inspector.js';
import { TrackBalancer } from './track-balancer.js';
import type { UpstreamPool } from './upstream-pool.js';
import type { UpstreamTarget } from './upstream-target.js';

/** Where one request goes: a track's upstreams, and whether to pin the client to a version. */
export interface Selection {
  readonly balancer: TrackBalancer;
  /**
   * The sticky cookie to set on the response, naming the version that answers, when the table
   * is sticky and the client sent no valid one; `undefined` otherwise.
   */
  readonly pinCookie: string | undefined;
}

/**
 * A routing table ready for the hot path. Immutable (only the round-robin cursors move): `apply`
 * builds a new one and swaps a single reference, so a request sees either the old table or the
 * new one, never a mix. Selections are built here once; picking one allocates nothing.
 */
export interface CompiledTable {
  readonly source: RoutingTable;
  /** Every target this table acquired, once per acquisition; released with the table. */
  readonly targets: readonly UpstreamTarget[];
  /**
   * Chooses where `request` goes: the canary track when a header or cookie match holds, else the
   * version its sticky cookie names, else stable or canary by weight. A track without upstreams
   * falls back to the other one: no 503 while any upstream exists.
   */
  pick(request: IncomingMessage): Selection;
  /** `track`'s upstreams, or the other track's when it has none: where a retry goes. */
  serving(track: Track): TrackBalancer;
  /** A canary upstream for a copy of a stable request, `mirrorPercent` of the time. */
  mirrorTarget(): UpstreamTarget | undefined;
}

/** Weights and shares are drawn against this many steps: 0.1 % granularity. */
const steps = 1_000;

/** Resolves the table's upstreams to pooled targets; `releaseTable` gives them back. */
export function compileTable(table: RoutingTable, pool: UpstreamPool): CompiledTable {
  return new Compiled(table, pool);
}

export function releaseTable(table: CompiledTable, pool: UpstreamPool): void {
  for (const target of table.targets) pool.release(target);
}

class Compiled implements CompiledTable {
  readonly targets: readonly UpstreamTarget[];
  private readonly stable: Selection;
  private readonly canary: Selection;
  private readonly stablePinned: Selection;
  private readonly canaryPinned: Selection;
  private readonly canaryThreshold: number;
  private readonly mirrorThreshold: number;
  private readonly inspector: RequestInspector | undefined;
  /** By sticky cookie value (the encoded version): only that version's upstreams. */
  private readonly versions = new Map<string, Selection>();
  private readonly stableBalancer: TrackBalancer;
  private readonly canaryBalancer: TrackBalancer;

  constructor(
    readonly source: RoutingTable,
    pool: UpstreamPool,
  ) {
    const acquire = (upstreams: readonly Upstream[] | undefined) =>
      uniqueById(upstreams ?? []).map((upstream) => pool.acquire(upstream));
    const stableTargets = acquire(source.backends.stable);
    const canaryTargets = acquire(source.backends.canary);
    this.targets = [...stableTargets, ...canaryTargets];
    this.stableBalancer = new TrackBalancer('stable', stableTargets);
    this.canaryBalancer = new TrackBalancer('canary', canaryTargets);

    const stickyCookie = source.sticky?.cookie;
    // A track without upstreams borrows the other's balancer: fallback costs nothing per request.
    const stable = stableTargets.length > 0 ? this.stableBalancer : this.canaryBalancer;
    const canary = canaryTargets.length > 0 ? this.canaryBalancer : this.stableBalancer;
    this.stable = { balancer: stable, pinCookie: undefined };
    this.canary = { balancer: canary, pinCookie: undefined };
    this.stablePinned = { balancer: stable, pinCookie: stickyCookie };
    this.canaryPinned = { balancer: canary, pinCookie: stickyCookie };

    this.canaryThreshold = canaryTargets.length > 0 ? toSteps(source.canaryWeight) : 0;
    this.mirrorThreshold = canaryTargets.length > 0 ? toSteps(source.mirrorPercent) : 0;
    const matches = canaryTargets.length > 0 ? (source.canaryMatches ?? []) : [];
    if (matches.length > 0 || stickyCookie !== undefined) {
      this.inspector = new RequestInspector(matches, stickyCookie);
    }
    if (stickyCookie !== undefined) {
      // Canary first so that stable wins when both tracks serve one version.
      for (const balancer of [this.canaryBalancer, this.stableBalancer]) {
        for (const [version, targets] of groupByVersion(balancer.targets)) {
          this.versions.set(encodeURIComponent(version), {
            balancer: new TrackBalancer(balancer.track, targets),
            pinCookie: undefined,
          });
        }
      }
    }
  }

  pick(request: IncomingMessage): Selection {
    const inspector = this.inspector;
    if (inspector === undefined) return this.weighted(false);
    const facts = inspector.inspect(request.rawHeaders);
    const pinned =
      facts.stickyValue === undefined ? undefined : this.versions.get(facts.stickyValue);
    const pin = pinned === undefined && this.stablePinned.pinCookie !== undefined;
    if (facts.matched) return pin ? this.canaryPinned : this.canary;
    return pinned ?? this.weighted(pin);
  }

  serving(track: Track): TrackBalancer {
    return track === 'canary' ? this.canary.balancer : this.stable.balancer;
  }

  mirrorTarget(): UpstreamTarget | undefined {
    if (this.mirrorThreshold === 0 || Math.random() * steps >= this.mirrorThreshold) {
      return undefined;
    }
    return this.canaryBalancer.next();
  }

  private weighted(pin: boolean): Selection {
    const canary = this.canaryThreshold > 0 && Math.random() * steps < this.canaryThreshold;
    if (pin) return canary ? this.canaryPinned : this.stablePinned;
    return canary ? this.canary : this.stable;
  }
}

/** A percentage as a whole number of 0.1 % steps, clamped to 0–100 %. */
function toSteps(percent: number | undefined): number {
  if (percent === undefined || !(percent > 0)) return 0;
  return Math.min(steps, Math.round(percent * (steps / 100)));
}

function groupByVersion(targets: readonly UpstreamTarget[]): Map<string, UpstreamTarget[]> {
  const groups = new Map<string, UpstreamTarget[]>();
  for (const target of targets) {
    const group = groups.get(target.upstream.version);
    if (group === undefined) groups.set(target.upstream.version, [target]);
    else group.push(target);
  }
  return groups;
}

function uniqueById<T extends { readonly id: string }>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    if (seen.has(item.id)) return false;
    seen.add(item.id);
    return true;
  });
}
