import type { Track } from '../../features/routing/traffic-router.js';

/** Seconds; 1 ms to 10 s, about 2.5× apart. */
export const durationBuckets = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const;

export const codeClasses = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** Counts and duration buckets of one label set; bumped on the hot path, read at scrape time. */
export class VersionSeries {
  readonly codes = [0, 0, 0, 0, 0];
  /** Requests routed here by a canary header match, and by a cookie match. */
  readonly matches = [0, 0];
  readonly buckets = new Float64Array(durationBuckets.length);
  sum = 0;
  count = 0;

  constructor(readonly labels: Readonly<Record<string, string>>) {}

  observe(status: number, seconds: number): void {
    const codeClass = Math.trunc(status / 100) - 1;
    if (codeClass >= 0 && codeClass < 5) this.codes[codeClass]!++;
    let bucket = 0;
    while (bucket < durationBuckets.length && seconds > durationBuckets[bucket]!) bucket++;
    if (bucket < durationBuckets.length) this.buckets[bucket]!++;
    this.sum += seconds;
    this.count++;
  }

  reset(): void {
    this.codes.fill(0);
    this.matches.fill(0);
    this.buckets.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

/** The series of one track, by version label, remembering the last one used. */
export class TrackSeries {
  readonly byVersion = new Map<string, VersionSeries>();
  private last: VersionSeries | undefined;

  constructor(
    private readonly service: string,
    private readonly environment: string,
    private readonly track: Track,
  ) {}

  get(version: string): VersionSeries {
    const last = this.last;
    if (last !== undefined && last.labels.version === version) return last;
    let series = this.byVersion.get(version);
    if (series === undefined) {
      const { service, environment, track } = this;
      series = new VersionSeries({ service, environment, version, track });
      this.byVersion.set(version, series);
    }
    this.last = series;
    return series;
  }
}
