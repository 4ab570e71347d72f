import type { Metric, Registry } from 'prom-client';

/** One sample of a metric family, in the shape prom-client's registry formats. */
export interface CollectedSample {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
  /** `<name>_bucket`, `_sum`, `_count` for histograms; the family name when absent. */
  readonly metricName?: string;
}

export interface CollectedFamilyOptions {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  /** Reads the current samples; runs at scrape time only. */
  readonly collect: () => CollectedSample[];
  /** Zeroes the samples, for `registry.resetMetrics()`. */
  readonly reset: () => void;
}

/**
 * A metric family whose numbers live in plain fields the hot path bumps, read only when the
 * registry is scraped. prom-client's own `Counter`/`Histogram` hash their label set on every
 * `inc`/`observe` (about 1 µs per request for the router's two families); this costs a few field
 * writes, and the registry still renders, merges and serves it like any other metric.
 */
class CollectedFamily {
  /** Writable: an OpenMetrics registry renames counters in place. */
  name: string;
  readonly help: string;
  readonly type: string;
  readonly aggregator = 'sum';

  constructor(private readonly options: CollectedFamilyOptions) {
    this.name = options.name;
    this.help = options.help;
    this.type = options.type;
  }

  async get(): Promise<{
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: CollectedSample[];
  }> {
    const { name, help, type, aggregator } = this;
    return { name, help, type, aggregator, values: this.options.collect() };
  }

  reset(): void {
    this.options.reset();
  }
}

/** Registers a family read from the hot path's own counters in `registry`. */
export function registerCollectedFamily(registry: Registry, options: CollectedFamilyOptions): void {
  // The registry only calls `get` and `reset` and reads `name`; the `Metric` union names the
  // library's own classes, hence the cast.
  registry.registerMetric(new CollectedFamily(options) as unknown as Metric);
}
