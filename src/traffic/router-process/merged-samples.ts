import { tracks, type Track } from '../../features/routing/traffic-router.js';
import type { TrackSample } from '../../features/routing/traffic-samples.js';
import type { WorkerWindowRead } from './worker-messages.js';

/**
 * One sample window read across workers: counts summed, the version the one that answered last,
 * and the latency reservoirs merged so every response stays equally likely to be kept: over the
 * cap, each worker contributes in proportion to the responses it counted (a uniform subsample of
 * its own uniform reservoir).
 */
export function mergeSamples(
  reads: readonly WorkerWindowRead[],
  cap: number,
  random: () => number = Math.random,
): Partial<Record<Track, TrackSample>> {
  const merged: Partial<Record<Track, TrackSample>> = {};
  for (const track of tracks) {
    const parts = reads.flatMap((read) => {
      const sample = read.samples[track];
      return sample === undefined ? [] : [{ sample, at: read.last[track]?.at ?? 0 }];
    });
    if (parts.length === 0) continue;
    const requests = parts.reduce((sum, part) => sum + part.sample.requests, 0);
    const answered = parts.filter((part) => part.sample.version !== 'none');
    const newest = answered.reduce<(typeof parts)[number] | undefined>(
      (best, part) => (best === undefined || part.at > best.at ? part : best),
      undefined,
    );
    merged[track] = {
      version: newest?.sample.version ?? 'none',
      requests,
      errors5xx: parts.reduce((sum, part) => sum + part.sample.errors5xx, 0),
      latenciesMs: mergeReservoirs(
        parts.map((part) => part.sample),
        requests,
        cap,
        random,
      ),
    };
  }
  return merged;
}

function mergeReservoirs(
  samples: readonly TrackSample[],
  requests: number,
  cap: number,
  random: () => number,
): number[] {
  const all = samples.flatMap((sample) => sample.latenciesMs);
  if (requests <= cap || all.length <= cap) return all;
  // Largest remainder: the shares add up to the cap exactly.
  const exact = samples.map((sample) => (cap * sample.requests) / requests);
  const shares = exact.map(Math.floor);
  let left = cap - shares.reduce((sum, share) => sum + share, 0);
  const order = exact
    .map((value, index) => ({ index, remainder: value - Math.floor(value) }))
    .sort((a, b) => b.remainder - a.remainder);
  for (const { index } of order) {
    if (left === 0) break;
    shares[index]!++;
    left--;
  }
  return samples.flatMap((sample, index) =>
    pick(sample.latenciesMs, Math.min(shares[index]!, sample.latenciesMs.length), random),
  );
}

/** `count` of `values` chosen uniformly without replacement (partial Fisher-Yates). */
function pick(values: readonly number[], count: number, random: () => number): number[] {
  const copy = values.slice();
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, count);
}
