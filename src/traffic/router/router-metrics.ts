import type { TrackFigures } from '../../features/routing/traffic-router.js';
import type { SampleWindow, TrafficSampler } from '../../features/routing/traffic-samples.js';
import { Counter, type Registry } from 'prom-client';
import {
  tracks,
  type ListenerKind,
  type RoutingTable,
  type Track,
  type Upstream,
} from '../../features/routing/traffic-router.js';
import { registerCollectedFamily, type CollectedSample } from './collected-family.js';
import { TrackWindows } from './latency-window.js';
import type { MirrorSkipHook, MirrorSkipReason } from './mirror.js';
import type { ResponseHook } from './proxy.js';
import { SampleWindows } from './sample-windows.js';
import { codeClasses, durationBuckets, TrackSeries, type VersionSeries } from './version-series.js';

/** What one track served lately, for canary analysis and `ferry rollout get`. */
export type TrackSnapshot = TrackFigures;

export interface RouteSnapshot {
  /** Only the tracks that served a request. */
  readonly tracks: Partial<Record<Track, TrackSnapshot>>;
}

/**
 * The router's metrics: the hooks it feeds, and what Ferry reads back: figures since start
 * (`snapshot`) and raw samples of the main listener over a window (`open`).
 */
export interface RouterMetrics extends TrafficSampler {
  readonly onResponse: ResponseHook;
  readonly onMirrorSkipped: MirrorSkipHook;
  /** Per-track figures of one listener (default `main`) of a service/environment. */
  snapshot(service: string, environment: string, listener?: ListenerKind): RouteSnapshot;
}

const trackIndex = Object.fromEntries(tracks.map((track, index) => [track, index])) as Record<
  Track,
  number
>;

/**
 * Metrics of Ferry's router in `registry`:
 * `ferry_router_requests_total{service,environment,version,track,code_class}`,
 * `ferry_router_request_duration_seconds{service,environment,version,track}` (to the response
 * head) and `ferry_router_mirror_skipped_total{service,environment,reason}`. Responses the router
 * produced itself (502, 503, 504) carry version `none`. Also the router's {@link TrafficSampler}:
 * a window costs nothing until opened, then O(1) per response, and nothing once closed.
 *
 * @example
 * const registry = new Registry();
 * const metrics = createRouterMetrics(registry);
 * const router = new Router({ metrics });
 * // later: await registry.metrics(); metrics.snapshot('web', 'prod').tracks.canary?.p99Ms
 */
export function createRouterMetrics(registry: Registry): RouterMetrics {
  return new PrometheusRouterMetrics(registry);
}

/** What one routing table's responses update, resolved once per table. */
interface RouteHandle {
  readonly series: readonly TrackSeries[];
  readonly windows: readonly TrackWindows[];
  readonly samples: SampleWindows;
}

class PrometheusRouterMetrics implements RouterMetrics {
  /** By `service\0environment`: one set of label sets for both listeners. */
  private readonly series = new Map<string, TrackSeries[]>();
  /** By `service\0environment\0listener`. */
  private readonly windows = new Map<string, TrackWindows[]>();
  /** By `service\0environment\0listener`; only the main listeners' are ever opened. */
  private readonly samples = new Map<string, SampleWindows>();
  /** Tables are immutable: a response finds its handle with one lookup. */
  private readonly handles = new WeakMap<RoutingTable, RouteHandle>();
  private readonly mirrorSkipped: Counter<'service' | 'environment' | 'reason'>;

  readonly onResponse: ResponseHook = (route, track, upstream, status, startedAt, byRouter) =>
    this.record(route, track, upstream, status, startedAt, byRouter);

  readonly onMirrorSkipped: MirrorSkipHook = (route, reason: MirrorSkipReason) =>
    this.mirrorSkipped.inc({ service: route.service, environment: route.environment, reason });

  constructor(registry: Registry) {
    registerCollectedFamily(registry, {
      name: 'ferry_router_requests_total',
      help: 'Responses sent by the router, by version and track; version none when the router answered itself.',
      type: 'counter',
      collect: () => this.collectRequests(),
      reset: () => this.resetSeries(),
    });
    registerCollectedFamily(registry, {
      name: 'ferry_router_request_duration_seconds',
      help: 'Time from request arrival to the response head, by version and track.',
      type: 'histogram',
      collect: () => this.collectDurations(),
      reset: () => this.resetSeries(),
    });
    this.mirrorSkipped = new Counter({
      name: 'ferry_router_mirror_skipped_total',
      help: 'Requests picked for mirroring but not copied: body chunked or over 1 MiB, or too many copies in flight.',
      labelNames: ['service', 'environment', 'reason'],
      registers: [registry],
    });
  }

  snapshot(service: string, environment: string, listener: ListenerKind = 'main'): RouteSnapshot {
    const windows = this.windows.get(`${service}\u0000${environment}\u0000${listener}`);
    const snapshot: Partial<Record<Track, TrackSnapshot>> = {};
    for (const track of tracks) {
      const trackWindows = windows?.[trackIndex[track]];
      const window = trackWindows?.latest ?? trackWindows?.byVersion.get('none');
      if (window === undefined) continue;
      const [p50Ms = 0, p95Ms = 0, p99Ms = 0] = window.percentiles([0.5, 0.95, 0.99]);
      snapshot[track] = {
        version: window.version,
        requests: window.requests,
        errors5xx: window.errors5xx,
        p50Ms,
        p95Ms,
        p99Ms,
      };
    }
    return { tracks: snapshot };
  }

  open(
    service: string,
    environment: string,
    options: { readonly maxLatencySamples?: number } = {},
  ): SampleWindow {
    return this.samplesOf(`${service}\u0000${environment}\u0000main`).openWindow(
      options.maxLatencySamples,
    );
  }

  private record(
    route: RoutingTable,
    track: Track,
    upstream: Upstream | undefined,
    status: number,
    startedAt: number,
    byRouter: boolean,
  ): void {
    const ms = performance.now() - startedAt;
    const handle = this.handles.get(route) ?? this.resolve(route);
    const index = trackIndex[track];
    const version = upstream === undefined ? 'none' : upstream.version;
    handle.series[index]!.get(byRouter ? 'none' : version).observe(status, ms / 1_000);
    // A router error on an upstream's behalf is what that version's users saw.
    handle.windows[index]!.get(version).add(ms, status);
    const samples = handle.samples;
    if (samples.open.length !== 0) samples.add(index, upstream, status, ms);
  }

  private resolve(route: RoutingTable): RouteHandle {
    const { service, environment } = route;
    const routeKey = `${service}\u0000${environment}`;
    let series = this.series.get(routeKey);
    if (series === undefined) {
      series = tracks.map((track) => new TrackSeries(service, environment, track));
      this.series.set(routeKey, series);
    }
    const listenerKey = `${routeKey}\u0000${route.listener ?? 'main'}`;
    let windows = this.windows.get(listenerKey);
    if (windows === undefined) {
      windows = tracks.map(() => new TrackWindows());
      this.windows.set(listenerKey, windows);
    }
    const handle = { series, windows, samples: this.samplesOf(listenerKey) };
    this.handles.set(route, handle);
    return handle;
  }

  private samplesOf(listenerKey: string): SampleWindows {
    let samples = this.samples.get(listenerKey);
    if (samples === undefined) {
      samples = new SampleWindows();
      this.samples.set(listenerKey, samples);
    }
    return samples;
  }

  private *allSeries(): Generator<VersionSeries> {
    for (const trackSeries of this.series.values()) {
      for (const { byVersion } of trackSeries) yield* byVersion.values();
    }
  }

  private collectRequests(): CollectedSample[] {
    const samples: CollectedSample[] = [];
    for (const series of this.allSeries()) {
      // 2xx and 5xx are always there once a version answered, so a ratio such as
      // rate(5xx) / rate(all) reads 0 for a healthy version rather than "no data".
      series.codes.forEach((value, index) => {
        const codeClass = codeClasses[index]!;
        if (value > 0 || codeClass === '2xx' || codeClass === '5xx') {
          samples.push({ labels: { ...series.labels, code_class: codeClass }, value });
        }
      });
    }
    return samples;
  }

  private collectDurations(): CollectedSample[] {
    const samples: CollectedSample[] = [];
    const bucketName = 'ferry_router_request_duration_seconds_bucket';
    for (const series of this.allSeries()) {
      if (series.count === 0) continue;
      let cumulative = 0;
      durationBuckets.forEach((le, index) => {
        cumulative += series.buckets[index]!;
        samples.push({
          labels: { ...series.labels, le },
          value: cumulative,
          metricName: bucketName,
        });
      });
      samples.push(
        { labels: { ...series.labels, le: '+Inf' }, value: series.count, metricName: bucketName },
        {
          labels: series.labels,
          value: series.sum,
          metricName: 'ferry_router_request_duration_seconds_sum',
        },
        {
          labels: series.labels,
          value: series.count,
          metricName: 'ferry_router_request_duration_seconds_count',
        },
      );
    }
    return samples;
  }

  private resetSeries(): void {
    for (const series of this.allSeries()) series.reset();
  }
}
