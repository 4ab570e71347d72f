import { tracks, type Track, type Upstream } from '../../features/routing/traffic-router.js';
import type { ImmediateSampleWindow, TrackSample } from '../../features/routing/traffic-samples.js';

/** Latencies kept per track of a window when its opener does not say. */
export const defaultMaxLatencySamples = 10_000;

/**
 * The open sample windows of one listener, fed by the router metrics with every response. A
 * closed window leaves `open` at once, so nothing keeps it alive but its owner.
 */
export class SampleWindows {
  /** Replaced, never mutated: the hot path checks its length and nothing else when empty. */
  open: readonly CollectingWindow[] = [];

  /** A new window collecting from now on, keeping at most `maxLatencySamples` per track. */
  openWindow(maxLatencySamples = defaultMaxLatencySamples): ImmediateSampleWindow {
    if (!Number.isInteger(maxLatencySamples) || maxLatencySamples < 0) {
      throw new RangeError(
        `maxLatencySamples must be a whole number of 0 or more, got ${maxLatencySamples}`,
      );
    }
    const window = new CollectingWindow(this, maxLatencySamples);
    this.open = [...this.open, window];
    return window;
  }

  /** Counts one response (`trackIndex` into `tracks`) in every open window; O(1) per window. */
  add(trackIndex: number, upstream: Upstream | undefined, status: number, ms: number): void {
    const open = this.open;
    for (let i = 0; i < open.length; i++) open[i]!.add(trackIndex, upstream, status, ms);
  }

  /** @internal Called by a window's `close`. */
  remove(window: CollectingWindow): void {
    this.open = this.open.filter((other) => other !== window);
  }
}

class CollectingWindow implements ImmediateSampleWindow {
  /** By index into `tracks`; created at a track's first response. */
  private readonly byTrack: (TrackCollector | undefined)[] = tracks.map(() => undefined);
  private closed = false;

  constructor(
    private readonly owner: SampleWindows,
    private readonly maxLatencySamples: number,
  ) {}

  add(trackIndex: number, upstream: Upstream | undefined, status: number, ms: number): void {
    let collector = this.byTrack[trackIndex];
    if (collector === undefined) {
      collector = new TrackCollector(this.maxLatencySamples);
      this.byTrack[trackIndex] = collector;
    }
    collector.add(upstream, status, ms);
  }

  read(): Partial<Record<Track, TrackSample>> {
    const samples: Partial<Record<Track, TrackSample>> = {};
    for (let i = 0; i < tracks.length; i++) {
      const collector = this.byTrack[i];
      if (collector === undefined) continue;
      samples[tracks[i]!] = {
        version: collector.version,
        requests: collector.requests,
        errors5xx: collector.errors5xx,
        latenciesMs: collector.latencies.slice(),
      };
    }
    return samples;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.owner.remove(this);
  }
}

/**
 * Counts of one track, and a uniform sample of its latencies: Algorithm R (Vitter 1985), so each
 * of the `requests` latencies is kept with probability `cap / requests`.
 */
export class TrackCollector {
  version = 'none';
  requests = 0;
  errors5xx = 0;
  readonly latencies: number[] = [];

  constructor(private readonly cap: number) {}

  add(upstream: Upstream | undefined, status: number, ms: number): void {
    if (upstream !== undefined) this.version = upstream.version;
    const seen = ++this.requests;
    if (status >= 500) this.errors5xx++;
    if (seen <= this.cap) {
      this.latencies.push(ms);
      return;
    }
    const slot = Math.floor(Math.random() * seen);
    if (slot < this.cap) this.latencies[slot] = ms;
  }
}
