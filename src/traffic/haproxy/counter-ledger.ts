import type {
  ListenerFigures,
  TrackFigures,
  TrackMatches,
} from '../../features/routing/traffic-router.js';
import type { StatRow } from './haproxy-socket.js';
import type { Slot } from './listener-state.js';
import type { WeightedTrack } from './track-weights.js';

/** Requests and 5xx answers counted for one track and version. */
interface Count {
  readonly requests: number;
  readonly errors5xx: number;
}

/** Where a slot's counters stood when it took its current upstream and track. */
interface SlotBase extends Count {
  readonly upstreamId: string;
  readonly track: WeightedTrack;
  readonly version: string;
}

/** The ledger as saved with the listener, so an adopting server carries the counts on. */
export interface LedgerRecord {
  readonly bases: Readonly<Record<string, SlotBase>>;
  readonly retired: Readonly<Record<string, Count>>;
}

const zero: Count = { requests: 0, errors5xx: 0 };

/**
 * Turns HAProxy's per-server counters into Ferry's per-track, per-version figures for one
 * listener. A server slot is reused by other upstreams (and versions) over time, and a reload
 * starts every counter at 0, so each slot keeps the counts it stood at when it took its
 * upstream; what it served before is kept, by track and version, in `retired`.
 */
export class CounterLedger {
  private bases = new Map<string, SlotBase>();
  private retired = new Map<string, Count>();

  constructor(record?: LedgerRecord) {
    for (const [slot, base] of Object.entries(record?.bases ?? {})) this.bases.set(slot, base);
    for (const [key, count] of Object.entries(record?.retired ?? {})) this.retired.set(key, count);
  }

  /**
   * Follows the slots after a change: a slot whose upstream, track or version changed (or that
   * was freed) keeps what it served under the old ones and counts afresh from `rows`.
   */
  follow(proxy: string, slots: readonly Slot[], rows: readonly StatRow[]): void {
    for (const slot of slots) {
      const base = this.bases.get(slot.name);
      const now = countOf(rows, proxy, slot.name);
      const same =
        base !== undefined &&
        slot.upstream !== null &&
        slot.track !== null &&
        base.upstreamId === slot.upstream.id &&
        base.track === slot.track &&
        base.version === slot.upstream.version;
      if (same) continue;
      if (base !== undefined) this.retire(base, now);
      if (slot.upstream === null || slot.track === null) {
        this.bases.delete(slot.name);
      } else {
        const { id, version } = slot.upstream;
        this.bases.set(slot.name, { upstreamId: id, track: slot.track, version, ...now });
      }
    }
  }

  /** Before a reload (which starts counters at 0): keeps what every slot served, then rebases at 0. */
  reloading(proxy: string, rows: readonly StatRow[]): void {
    for (const [slot, base] of this.bases) {
      this.retire(base, countOf(rows, proxy, slot));
      this.bases.set(slot, { ...base, ...zero });
    }
  }

  /**
   * The figures of the listener: per track, the version most of its serving slots run, with
   * everything counted for that track and version. HAProxy keeps no percentiles: `p50Ms`,
   * `p95Ms` and `p99Ms` are all the average time to the response head of the last 1024
   * requests of each server (`rtime`), weighted by the servers' requests.
   */
  figures(proxy: string, slots: readonly Slot[], rows: readonly StatRow[]): ListenerFigures {
    const tracks: Partial<Record<WeightedTrack, TrackFigures & TrackMatches>> = {};
    for (const track of ['stable', 'canary', 'baseline'] as const) {
      const serving = slots.filter((s) => s.track === track && !s.leaving && s.upstream !== null);
      const version = mostCommon(serving.map((s) => s.upstream!.version));
      if (version === undefined) continue;
      let { requests, errors5xx } = this.retired.get(keyOf(track, version)) ?? zero;
      let timeWeighted = 0;
      let timed = 0;
      for (const [slot, base] of this.bases) {
        if (base.track !== track || base.version !== version) continue;
        const now = countOf(rows, proxy, slot);
        requests += Math.max(0, now.requests - base.requests);
        errors5xx += Math.max(0, now.errors5xx - base.errors5xx);
        const row = rows.find((r) => r.proxy === proxy && r.server === slot);
        if (row !== undefined && row.total > 0) {
          timeWeighted += row.responseMs * row.total;
          timed += row.total;
        }
      }
      const averageMs = timed > 0 ? timeWeighted / timed : 0;
      tracks[track] = {
        version,
        requests,
        errors5xx,
        p50Ms: averageMs,
        p95Ms: averageMs,
        p99Ms: averageMs,
        headerMatches: 0,
        cookieMatches: 0,
      };
    }
    return { tracks, mirror: { sent: 0, skipped: 0, failed: 0 } };
  }

  toRecord(): LedgerRecord {
    return { bases: Object.fromEntries(this.bases), retired: Object.fromEntries(this.retired) };
  }

  private retire(base: SlotBase, now: Count): void {
    const key = keyOf(base.track, base.version);
    const before = this.retired.get(key) ?? zero;
    this.retired.set(key, {
      requests: before.requests + Math.max(0, now.requests - base.requests),
      errors5xx: before.errors5xx + Math.max(0, now.errors5xx - base.errors5xx),
    });
  }
}

/** A server's requests (`stot`) and 5xx answers (its own `hrsp_5xx` and HAProxy's 502s, `eresp`). */
function countOf(rows: readonly StatRow[], proxy: string, server: string): Count {
  const row = rows.find((r) => r.proxy === proxy && r.server === server);
  return row === undefined
    ? zero
    : { requests: row.total, errors5xx: row.responses5xx + row.responseErrors };
}

function keyOf(track: WeightedTrack, version: string): string {
  return `${track} ${version}`;
}

function mostCommon(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best: string | undefined;
  for (const [value, count] of counts)
    if (best === undefined || count > counts.get(best)!) best = value;
  return best;
}
