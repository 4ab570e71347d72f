import type { IncomingMessage } from 'node:http';
import type {
  MatchSource,
  RoutingTable,
  Track,
  Upstream,
} from '../../features/routing/traffic-router.js';
import { PinCookie, pinValue } from './pin-cookie.js';
import { RequestInspector } from './request-inspector.js';
import { TrackBalancer } from './track-balancer.js';
import type { UpstreamPool } from './upstream-pool.js';
import type { UpstreamTarget } from './upstream-target.js';

/** Where one request goes: a track's upstreams, and whether to pin the client to a version. */
export interface Selection {
  readonly balancer: TrackBalancer;
  /**
   * The sticky cookie to set on the response, naming the version that answers, when the table
   * is sticky, the client sent no valid one and no header or cookie match routed it; `undefined`
   * otherwise.
   */
  readonly pinCookie: PinCookie | undefined;
  /** The kind of canary match that routed the request; `undefined` for weight or sticky cookie. */
  readonly matchedBy: MatchSource | undefined;
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
   * version its sticky cookie names, else canary, baseline or stable by weight. A track without
   * upstreams falls back to another one (see {@link CompiledTable.serving}): no 503 while any
   * upstream exists. A match pins nothing: a tester's header must not keep their browser on the
   * canary once they stop sending it.
   *
   * Sticky sessions: a client pinned on the baseline gets `<version>~baseline` (see `pinValue`),
   * so it stays on the baseline rather than joining the stable set of the same version.
   */
  pick(request: IncomingMessage): Selection;
  /**
   * `track`'s upstreams, or a fallback's when it has none, where a retry goes: stable falls back
   * to canary then baseline, canary to stable then baseline, baseline to stable then canary.
   */
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

/** Where a weighted pick of one track goes, without and with a pin cookie to set. */
interface TrackSelections {
  readonly free: Selection;
  readonly pinned: Selection;
}

class Compiled implements CompiledTable {
  readonly targets: readonly UpstreamTarget[];
  private readonly stable: TrackSelections;
  private readonly canary: TrackSelections;
  private readonly baseline: TrackSelections;
  /** A draw below this goes to the canary. */
  private readonly canaryThreshold: number;
  /** A draw below this (and not below `canaryThreshold`) goes to the baseline. */
  private readonly baselineThreshold: number;
  private readonly mirrorThreshold: number;
  private readonly inspector: RequestInspector | undefined;
  /** By sticky cookie value (`pinValue`): only that version's upstreams on that track. */
  private readonly versions = new Map<string, Selection>();
  private readonly canaryBalancer: TrackBalancer;
  /** The canary track, without a pin, for a request a header or a cookie match routed. */
  private readonly matched: Readonly<Record<MatchSource, Selection>>;

  constructor(
    readonly source: RoutingTable,
    pool: UpstreamPool,
  ) {
    const acquire = (upstreams: readonly Upstream[] | undefined) =>
      uniqueById(upstreams ?? []).map((upstream) => pool.acquire(upstream));
    const stableTargets = acquire(source.backends.stable);
    const canaryTargets = acquire(source.backends.canary);
    const baselineTargets = acquire(source.backends.baseline);
    this.targets = [...stableTargets, ...canaryTargets, ...baselineTargets];
    const stableBalancer = new TrackBalancer('stable', stableTargets);
    const canaryBalancer = new TrackBalancer('canary', canaryTargets);
    const baselineBalancer = new TrackBalancer('baseline', baselineTargets);
    this.canaryBalancer = canaryBalancer;

    const sticky = source.sticky ?? undefined;
    const stickyCookie = sticky?.cookie;
    const pinCookie =
      sticky === undefined ? undefined : new PinCookie(sticky.cookie, sticky.maxAgeSeconds);
    // A track without upstreams borrows another's balancer: fallback costs nothing per request.
    const selections = (...order: TrackBalancer[]): TrackSelections => {
      const balancer = order.find((candidate) => candidate.targets.length > 0) ?? order[0]!;
      return {
        free: { balancer, pinCookie: undefined, matchedBy: undefined },
        pinned: { balancer, pinCookie, matchedBy: undefined },
      };
    };
    this.stable = selections(stableBalancer, canaryBalancer, baselineBalancer);
    this.canary = selections(canaryBalancer, stableBalancer, baselineBalancer);
    this.baseline = selections(baselineBalancer, stableBalancer, canaryBalancer);
    const canaryServing = this.canary.free.balancer;
    this.matched = {
      header: { balancer: canaryServing, pinCookie: undefined, matchedBy: 'header' },
      cookie: { balancer: canaryServing, pinCookie: undefined, matchedBy: 'cookie' },
    };

    // The canary's weight bounds the baseline's even when the canary has no upstream, so the
    // baseline's share does not grow when the canary's goes to stable.
    const canarySteps = toSteps(source.canaryWeight);
    this.canaryThreshold = canaryTargets.length > 0 ? canarySteps : 0;
    const baselineSteps =
      baselineTargets.length > 0
        ? Math.min(toSteps(source.baselineWeight), steps - canarySteps)
        : 0;
    this.baselineThreshold = this.canaryThreshold + baselineSteps;
    this.mirrorThreshold = canaryTargets.length > 0 ? toSteps(source.mirrorPercent) : 0;
    const matches = canaryTargets.length > 0 ? (source.canaryMatches ?? []) : [];
    if (matches.length > 0 || stickyCookie !== undefined) {
      this.inspector = new RequestInspector(matches, stickyCookie);
    }
    if (stickyCookie !== undefined) {
      // Stable wins over canary when both serve one version. The baseline has its own cookie
      // value (`v1~baseline`), so its clients stay on it and it sees whole sessions, as the canary.
      for (const balancer of [canaryBalancer, stableBalancer, baselineBalancer]) {
        for (const [version, targets] of groupByVersion(balancer.targets)) {
          this.versions.set(pinValue(version, balancer.track), {
            balancer: new TrackBalancer(balancer.track, targets),
            pinCookie: undefined,
            matchedBy: undefined,
          });
        }
      }
    }
  }

  pick(request: IncomingMessage): Selection {
    const inspector = this.inspector;
    if (inspector === undefined) return this.weighted().free;
    const facts = inspector.inspect(request.rawHeaders);
    if (facts.matchedBy !== undefined) return this.matched[facts.matchedBy];
    const pinned =
      facts.stickyValue === undefined ? undefined : this.versions.get(facts.stickyValue);
    // `pinned` selections carry no cookie when the table is not sticky.
    return pinned ?? this.weighted().pinned;
  }

  serving(track: Track): TrackBalancer {
    if (track === 'canary') return this.canary.free.balancer;
    return track === 'baseline' ? this.baseline.free.balancer : this.stable.free.balancer;
  }

  mirrorTarget(): UpstreamTarget | undefined {
    if (this.mirrorThreshold === 0 || Math.random() * steps >= this.mirrorThreshold) {
      return undefined;
    }
    return this.canaryBalancer.next();
  }

  private weighted(): TrackSelections {
    if (this.baselineThreshold === 0) return this.stable;
    const draw = Math.random() * steps;
    if (draw < this.canaryThreshold) return this.canary;
    return draw < this.baselineThreshold ? this.baseline : this.stable;
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
