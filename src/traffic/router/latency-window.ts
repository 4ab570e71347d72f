/** Latencies kept per window: enough for a p99 from 20 samples past it, 16 KiB each. */
export const latencyWindowSize = 2_048;
/** Versions remembered per track and listener; older ones are forgotten. */
const windowsPerTrack = 8;

/**
 * Request counts and the last {@link latencyWindowSize} latencies of one version on one track.
 * Percentiles come from the samples themselves (nearest rank), not from histogram buckets, so a
 * 200 ms upstream reads as 200 ms, not as "somewhere in 100–250".
 */
export class LatencyWindow {
  requests = 0;
  errors5xx = 0;
  /** Requests a canary header or cookie match routed to this version. */
  headerMatches = 0;
  cookieMatches = 0;
  private readonly samples = new Float64Array(latencyWindowSize);
  private next = 0;
  private filled = 0;

  constructor(readonly version: string) {}

  add(ms: number, status: number): void {
    this.requests++;
    if (status >= 500) this.errors5xx++;
    this.samples[this.next] = ms;
    this.next = (this.next + 1) % latencyWindowSize;
    if (this.filled < latencyWindowSize) this.filled++;
  }

  /** The recent latencies themselves, oldest first not guaranteed: for merging windows across processes. */
  recent(): number[] {
    return Array.from(this.samples.subarray(0, this.filled));
  }

  /** The `p`-quantiles (0–1) of the samples, in ms; 0 when there is none. */
  percentiles(ps: readonly number[]): number[] {
    if (this.filled === 0) return ps.map(() => 0);
    const sorted = this.samples.slice(0, this.filled).sort();
    return ps.map((p) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] as number);
  }
}

/** The latency windows of one track of one listener, by version. */
export class TrackWindows {
  readonly byVersion = new Map<string, LatencyWindow>();
  /** The window of the version that answered last, the router's own answers aside. */
  latest: LatencyWindow | undefined;
  private last: LatencyWindow | undefined;

  get(version: string): LatencyWindow {
    const last = this.last;
    if (last !== undefined && last.version === version) return last;
    let window = this.byVersion.get(version);
    if (window === undefined) {
      window = new LatencyWindow(version);
      this.byVersion.set(version, window);
      if (this.byVersion.size > windowsPerTrack) this.forgetOldest();
    }
    if (version !== 'none') this.latest = window;
    this.last = window;
    return window;
  }

  private forgetOldest(): void {
    for (const [version, window] of this.byVersion) {
      if (window === this.latest || window === this.last) continue;
      this.byVersion.delete(version);
      return;
    }
  }
}
