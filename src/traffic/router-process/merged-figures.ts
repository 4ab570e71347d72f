import {
  tracks,
  type ListenerFigures,
  type Track,
  type TrackFigures,
  type TrackMatches,
} from '../../features/routing/traffic-router.js';
import { latencyWindowSize } from '../router/latency-window.js';
import type { VersionDetail } from '../router/router-metrics.js';
import type { WorkerDetail } from './worker-messages.js';

interface MutableVersion {
  version: string;
  requests: number;
  errors5xx: number;
  headerMatches: number;
  cookieMatches: number;
  latenciesMs: number[];
}

interface MergedTrack {
  latest?: string;
  readonly versions: Map<string, MutableVersion>;
}

/**
 * Figures of one listener summed over several workers (and workers retired since the router
 * started): counts add up, the version of a track is the one that answered last in any of them,
 * and percentiles come from their latency windows merged, not averaged.
 */
export function mergeDetails(
  details: readonly WorkerDetail[],
  keepLatencies = Infinity,
): WorkerDetail {
  const mirror = { sent: 0, skipped: 0, failed: 0 };
  const merged: Partial<Record<Track, MergedTrack>> = {};
  const last: Partial<Record<Track, { version: string; at: number }>> = {};
  for (const { detail, last: workerLast } of details) {
    mirror.sent += detail.mirror.sent;
    mirror.skipped += detail.mirror.skipped;
    mirror.failed += detail.mirror.failed;
    for (const track of tracks) {
      const answer = workerLast[track];
      if (answer !== undefined && (last[track] === undefined || answer.at >= last[track].at)) {
        last[track] = answer;
      }
      const trackDetail = detail.tracks[track];
      if (trackDetail === undefined) continue;
      const into: MergedTrack = (merged[track] ??= { versions: new Map() });
      if (into.latest === undefined && trackDetail.latest !== undefined)
        into.latest = trackDetail.latest;
      for (const version of trackDetail.versions) add(into.versions, version, keepLatencies);
    }
  }
  const trackDetails: WorkerDetail['detail']['tracks'] = Object.fromEntries(
    Object.entries(merged).map(([track, value]) => {
      const latest = last[track as Track]?.version ?? value.latest;
      const versions = [...value.versions.values()];
      return [track, latest === undefined ? { versions } : { latest, versions }];
    }),
  );
  return { detail: { tracks: trackDetails, mirror }, last };
}

function add(into: Map<string, MutableVersion>, version: VersionDetail, keep: number): void {
  const current = into.get(version.version);
  if (current === undefined) {
    into.set(version.version, { ...version, latenciesMs: version.latenciesMs.slice(-keep) });
    return;
  }
  current.requests += version.requests;
  current.errors5xx += version.errors5xx;
  current.headerMatches += version.headerMatches;
  current.cookieMatches += version.cookieMatches;
  current.latenciesMs.push(...version.latenciesMs);
  if (current.latenciesMs.length > keep)
    current.latenciesMs.splice(0, current.latenciesMs.length - keep);
}

/** What a merged detail reads as: the figures `ferry rollout get` and analysis see. */
export function figuresOf({ detail }: WorkerDetail): ListenerFigures {
  const figures: Partial<Record<Track, TrackFigures & TrackMatches>> = {};
  for (const track of tracks) {
    const trackDetail = detail.tracks[track];
    if (trackDetail === undefined) continue;
    const wanted = trackDetail.latest ?? 'none';
    const version = trackDetail.versions.find((candidate) => candidate.version === wanted);
    if (version === undefined) continue;
    const [p50Ms, p95Ms, p99Ms] = percentiles(version.latenciesMs, [0.5, 0.95, 0.99]);
    figures[track] = {
      version: version.version,
      requests: version.requests,
      errors5xx: version.errors5xx,
      p50Ms: p50Ms!,
      p95Ms: p95Ms!,
      p99Ms: p99Ms!,
      headerMatches: version.headerMatches,
      cookieMatches: version.cookieMatches,
    };
  }
  return { tracks: figures, mirror: { ...detail.mirror } };
}

/** Nearest-rank quantiles, as the in-process router computes them; 0 without samples. */
function percentiles(samples: readonly number[], ps: readonly number[]): number[] {
  if (samples.length === 0) return ps.map(() => 0);
  const sorted = Float64Array.from(samples).sort();
  return ps.map((p) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!);
}

/** How many latencies per version the figures of retired workers keep. */
export const retiredLatencies = latencyWindowSize;
