import type { RoutingTable, Track, Upstream } from '../../features/routing/traffic-router.js';

/** HAProxy's highest server weight. */
export const maxServerWeight = 256;

/** Tracks the HAProxy data plane serves by weight; mirroring is not built. */
export const weightedTracks = ['stable', 'canary', 'baseline'] as const satisfies readonly Track[];
export type WeightedTrack = (typeof weightedTracks)[number];

/** One upstream of a table with the HAProxy weight its server gets. */
export interface WeightedUpstream {
  readonly upstream: Upstream;
  readonly track: WeightedTrack;
  /** 0–256 (0: the track takes no share); every server of one track has the same weight. */
  readonly weight: number;
}

/**
 * The share (percent, 0.1 steps) of requests each track takes, as Ferry's router draws them:
 * the canary `canaryWeight` when it has upstreams; the baseline `baselineWeight`, capped at
 * `100 - canaryWeight`, when it has upstreams; the stable track the rest. A track with no
 * upstream passes its share on (stable to canary then baseline), so nothing answers 503 while
 * any upstream exists.
 */
export function trackShares(table: RoutingTable): Readonly<Record<WeightedTrack, number>> {
  const count = (track: WeightedTrack) => table.backends[track]?.length ?? 0;
  const canaryWeight = steps(table.canaryWeight);
  const canary = count('canary') > 0 ? canaryWeight : 0;
  const baseline =
    count('baseline') > 0 ? Math.min(steps(table.baselineWeight), 1_000 - canaryWeight) : 0;
  const stable = 1_000 - canary - baseline;
  const shares = { stable, canary, baseline };
  if (count('stable') === 0 && stable > 0) {
    const heir = count('canary') > 0 ? 'canary' : count('baseline') > 0 ? 'baseline' : undefined;
    if (heir !== undefined) {
      shares[heir] += stable;
      shares.stable = 0;
    }
  }
  return { stable: shares.stable / 10, canary: shares.canary / 10, baseline: shares.baseline / 10 };
}

/**
 * Per-server weights that give each track its share under `balance roundrobin`: a track's
 * share split evenly over its servers, scaled so the largest server weight is at most 256
 * (HAProxy's most) and rounded; of those scalings the one whose shares come closest is kept. A
 * track with a share never rounds to 0. Shares finer than 1/256 of the largest server's are
 * beyond HAProxy's weights and come out coarser. An upstream listed on two tracks is served
 * once, on the first of stable, canary, baseline.
 *
 * @example computeWeights({ ..., backends: { stable: [a, b], canary: [c] }, canaryWeight: 20 })
 * // a: 256, b: 256, c: 128 (c takes 128 / 640 = 20 %)
 */
export function computeWeights(table: RoutingTable): WeightedUpstream[] {
  const shares = trackShares(table);
  const seen = new Set<string>();
  const members = weightedTracks.map((track) => {
    const upstreams = (table.backends[track] ?? []).filter((u) => {
      if (seen.has(u.id)) return false;
      seen.add(u.id);
      return true;
    });
    const perServer = upstreams.length > 0 ? shares[track] / upstreams.length : 0;
    return { track, upstreams, perServer };
  });
  const largest = Math.max(0, ...members.map((m) => m.perServer));
  const weightsAt = (top: number) =>
    members.map(({ perServer }) =>
      // Weight 0 would leave the server in rotation's list but never picked: the track takes nothing.
      perServer > 0 ? Math.max(1, Math.round((perServer / largest) * top)) : 0,
    );
  let best = weightsAt(maxServerWeight);
  if (largest > 0) {
    let bestError = shareError(members, best);
    for (let top = maxServerWeight - 1; top >= 1 && bestError > 0; top--) {
      const weights = weightsAt(top);
      const error = shareError(members, weights);
      if (error < bestError) [best, bestError] = [weights, error];
    }
  }
  return members.flatMap(({ track, upstreams }, index) =>
    upstreams.map((upstream) => ({ upstream, track, weight: best[index]! })),
  );
}

/** The largest gap, in percent, between each track's share and what `weights` would serve. */
function shareError(
  members: readonly { readonly upstreams: readonly Upstream[]; readonly perServer: number }[],
  weights: readonly number[],
): number {
  const total = members.reduce((sum, m, i) => sum + m.upstreams.length * weights[i]!, 0);
  if (total === 0) return 0;
  return Math.max(
    ...members.map((m, i) =>
      Math.abs((100 * m.upstreams.length * weights[i]!) / total - m.perServer * m.upstreams.length),
    ),
  );
}

/** A percentage as whole 0.1 % steps, clamped to 0–100 %. */
function steps(percent: number | undefined): number {
  if (percent === undefined || !(percent > 0)) return 0;
  return Math.min(1_000, Math.round(percent * 10));
}
