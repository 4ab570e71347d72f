import type { RouteFigures, TrackFigures } from '../features/routing/traffic-router.js';
import type {
  MeasureContext,
  MetricProvider,
  ProviderResult,
  SpecOf,
} from '../features/analysis/metric-provider.js';

type BuiltinSpec = SpecOf<'builtin'>;

export type { RouteFigures, TrackFigures };

/** The counters at the previous measurement of one metric on one track. */
interface Reading {
  readonly version: string;
  readonly requests: number;
  readonly errors5xx: number;
  readonly at: number;
}

const noData: ProviderResult = { value: null, sampleSize: 0 };

const percentileOf = {
  latency_p50: 'p50Ms',
  latency_p95: 'p95Ms',
  latency_p99: 'p99Ms',
} as const;

/**
 * Measures a track from the router's own counters. Those are cumulative, so each measurement
 * covers what happened since the previous measurement of the same metric, service,
 * environment, track and version (the first one: since the router started counting that
 * version there). Keying by metric too lets a template measure `error_rate` and `latency_p99`
 * in the same round without one consuming the other's requests.
 *
 * - `error_rate` = Δ5xx / Δrequests; no new requests → `null`.
 * - `request_rate` = Δrequests / Δseconds (by `ctx.now`); the first measurement has no interval → `null`.
 * - `latency_p50|p95|p99` = the router's recent percentile in ms; no new requests → `null`.
 *
 * `sampleSize` is Δrequests; with fewer than `ctx.minSampleSize`, the reading stays where it was, so
 * the next measurement covers both windows. A track that served nothing, or whose latest version is not the one
 * expected there (`ctx.version` on `ctx.track`, `ctx.versions` elsewhere: the rollout moved on,
 * or has not started), is `null` with sample size 0.
 * Counters that went down (the router restarted) count from zero, as Prometheus' `rate()` does.
 *
 * @example
 * const provider = new BuiltinProvider((service, env) => routerMetrics.snapshot(service, env));
 * await provider.measure({ kind: 'builtin', metric: 'error_rate' }, ctx) // { value: 0.01, sampleSize: 300 }
 */
export class BuiltinProvider implements MetricProvider<BuiltinSpec> {
  /** By service, environment, track and metric: one reading, of the latest version measured. */
  private readonly readings = new Map<string, Reading>();

  constructor(private readonly figures: RouteFigures) {}

  async measure(spec: BuiltinSpec, ctx: MeasureContext): Promise<ProviderResult> {
    ctx.signal.throwIfAborted();
    const track = spec.track ?? ctx.track;
    const expected = track === ctx.track ? ctx.version : ctx.versions?.[track];
    const listener = ctx.listener ?? 'main';
    const current = (await this.figures(ctx.service, ctx.environment, listener)).tracks[track];
    if (current === undefined || current.version !== expected) return noData;

    const key = [ctx.service, ctx.environment, listener, track, spec.metric].join('\u0000');
    const previous = this.readings.get(key);
    const sameVersion = previous !== undefined && previous.version === ctx.version;
    const reset = sameVersion && current.requests < previous.requests;
    const since = sameVersion && !reset ? previous : undefined;
    const requests = current.requests - (since?.requests ?? 0);
    const errors5xx = current.errors5xx - (since?.errors5xx ?? 0);
    const seconds = sameVersion ? (ctx.now - previous.at) / 1_000 : undefined;

    // Time went backwards or stood still: keep the earlier reading, there is no interval yet.
    if (seconds !== undefined && seconds <= 0 && spec.metric === 'request_rate') return noData;
    // Too few requests to judge: the next measurement counts from the same reading, so a
    // measurement taken again sees them too. A first rate still needs its starting point.
    const tooFew = ctx.minSampleSize !== undefined && requests < ctx.minSampleSize;
    const startingPoint = spec.metric === 'request_rate' && seconds === undefined;
    if (!tooFew || startingPoint) {
      this.readings.set(key, {
        version: current.version,
        requests: current.requests,
        errors5xx: current.errors5xx,
        at: ctx.now,
      });
    }

    switch (spec.metric) {
      case 'error_rate':
        return requests > 0 ? { value: errors5xx / requests, sampleSize: requests } : noData;
      case 'request_rate':
        return seconds === undefined ? noData : { value: requests / seconds, sampleSize: requests };
      default:
        return requests > 0
          ? { value: current[percentileOf[spec.metric]], sampleSize: requests }
          : noData;
    }
  }
}
