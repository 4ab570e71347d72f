import { performance } from 'node:perf_hooks';
import type {
  ListenerFigures,
  MatchSource,
  MirrorFigures,
  TrackFigures,
  TrackMatches,
} from '../../features/routing/traffic-router.js';
import type {
  ImmediateSampleWindow,
  TrafficSampler,
} from '../../features/routing/traffic-samples.js';
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
import type { MirrorCopyHook, MirrorSkipHook, MirrorSkipReason } from './mirror.js';
import type { MatchHook, ResponseHook } from './proxy.js';
import { SampleWindows } from './sample-windows.js';
import { codeClasses, durationBuckets, TrackSeries, type VersionSeries } from './version-series.js';

/** What one track served lately, for canary analysis and `ferry rollout get`. */
export type TrackSnapshot = TrackFigures & TrackMatches;

export type RouteSnapshot = ListenerFigures;

/** One version's raw figures on one track of a listener, for merging across router processes. */
export interface VersionDetail {
  readonly version: string;
  readonly requests: number;
  readonly errors5xx: number;
  readonly headerMatches: number;
  readonly cookieMatches: number;
  /** The recent latencies themselves (at most `latencyWindowSize`). */
  readonly latenciesMs: readonly number[];
}

/** What {@link RouterMetrics.detail} gives: every version remembered on every track. */
export interface ListenerDetail {
  /** Per track: the version that answered last (the router's own answers aside), and all versions. */
  readonly tracks: Partial<
    Record<Track, { readonly latest?: string; readonly versions: readonly VersionDetail[] }>
  >;
  readonly mirror: MirrorFigures;
}

/**
 * The router's metrics: the hooks it feeds, and what Ferry reads back: figures since start
 * (`snapshot`) and raw samples of the main listener over a window (`open`).
 */
export interface RouterMetrics extends TrafficSampler {
  readonly onResponse: ResponseHook;
  readonly onMirrorSkipped: MirrorSkipHook;
  readonly onMirrorCopy: MirrorCopyHook;
  readonly onMatch: MatchHook;
  /** Per-track and mirror figures of one listener (default `main`) of a service/environment. */
  snapshot(service: string, environment: string, listener?: ListenerKind): RouteSnapshot;
  open(
    service: string,
    environment: string,
    options?: { readonly maxLatencySamples?: number },
  ): ImmediateSampleWindow;
  /** The raw figures behind `snapshot`, for a process that sums several routers' figures. */
  detail(service: string, environment: string, listener?: ListenerKind): ListenerDetail;
}

const trackIndex = Object.fromEntries(tracks.map((track, index) => [track, index])) as Record<
  Track,
  number
>;

/**
 * Metrics of Ferry's router in `registry`:
 * `ferry_router_requests_total{service,environment,version,track,code_class}`,
 * `ferry_router_request_duration_seconds{service,environment,version,track}` (to the response
 * head), `ferry_router_matched_requests_total{service,environment,version,track,source}` (routed by
 * a canary header or cookie match), `ferry_router_mirror_sent_total{service,environment}`,
 * `ferry_router_mirror_failed_total{service,environment}` and
 * `ferry_router_mirror_skipped_total{service,environment,reason}`. Responses the router produced
 * itself (502, 503, 504) carry version `none`. Also the router's {@link TrafficSampler}:
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
  readonly mirror: MirrorCounts;
}

type MirrorCounts = { -readonly [K in keyof MirrorFigures]: number };

class PrometheusRouterMetrics implements RouterMetrics {
  /** By `service\0environment`: one set of label sets for both listeners. */
  private readonly series = new Map<string, TrackSeries[]>();
  /** By `service\0environment\0listener`. */
  private readonly windows = new Map<string, TrackWindows[]>();
  /** By `service\0environment\0listener`; only the main listeners' are ever opened. */
  private readonly samples = new Map<string, SampleWindows>();
  /** By `service\0environment\0listener`. */
  private readonly mirrors = new Map<string, MirrorCounts>();
  /** Tables are immutable: a response finds its handle with one lookup. */
  private readonly handles = new WeakMap<RoutingTable, RouteHandle>();
  private readonly mirrorSkipped: Counter<'service' | 'environment' | 'reason'>;
  private readonly mirrorSent: Counter<'service' | 'environment'>;
  private readonly mirrorFailed: Counter<'service' | 'environment'>;

  readonly onResponse: ResponseHook = (route, track, upstream, status, startedAt, byRouter) =>
    this.record(route, track, upstream, status, startedAt, byRouter);

  readonly onMirrorSkipped: MirrorSkipHook = (route, reason: MirrorSkipReason) => {
    this.handleOf(route).mirror.skipped++;
    this.mirrorSkipped.inc({ service: route.service, environment: route.environment, reason });
  };

  readonly onMirrorCopy: MirrorCopyHook = (route, outcome) => {
    const labels = { service: route.service, environment: route.environment };
    if (outcome === 'sent') {
      this.handleOf(route).mirror.sent++;
      this.mirrorSent.inc(labels);
    } else {
      this.handleOf(route).mirror.failed++;
      this.mirrorFailed.inc(labels);
    }
  };

  readonly onMatch: MatchHook = (route, track, upstream, source) =>
    this.recordMatch(route, track, upstream, source);

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
    registerCollectedFamily(registry, {
      name: 'ferry_router_matched_requests_total',
      help: 'Requests a canary header or cookie match routed, by version and track.',
      type: 'counter',
      collect: () => this.collectMatches(),
      reset: () => this.resetSeries(),
    });
    this.mirrorSkipped = new Counter({
      name: 'ferry_router_mirror_skipped_total',
      help: 'Requests picked for mirroring but not copied: body chunked or over 1 MiB, too many copies in flight, or the request failed or was cut first.',
      labelNames: ['service', 'environment', 'reason'],
      registers: [registry],
    });
    this.mirrorSent = new Counter({
      name: 'ferry_router_mirror_sent_total',
      help: 'Mirrored copies sent to a canary upstream.',
      labelNames: ['service', 'environment'],
      registers: [registry],
    });
    this.mirrorFailed = new Counter({
      name: 'ferry_router_mirror_failed_total',
      help: 'Mirrored copies that got no answer: refused, reset or timed out.',
      labelNames: ['service', 'environment'],
      registers: [registry],
    });
  }

  snapshot(service: string, environment: string, listener: ListenerKind = 'main'): RouteSnapshot {
    const listenerKey = `${service}\u0000${environment}\u0000${listener}`;
    const windows = this.windows.get(listenerKey);
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
        headerMatches: window.headerMatches,
        cookieMatches: window.cookieMatches,
      };
    }
    const mirror = this.mirrors.get(listenerKey) ?? { sent: 0, skipped: 0, failed: 0 };
    return { tracks: snapshot, mirror: { ...mirror } };
  }

  detail(service: string, environment: string, listener: ListenerKind = 'main'): ListenerDetail {
    const listenerKey = `${service}\u0000${environment}\u0000${listener}`;
    const windows = this.windows.get(listenerKey);
    const detail: Record<string, ListenerDetail['tracks'][Track]> = {};
    for (const track of tracks) {
      const trackWindows = windows?.[trackIndex[track]];
      if (trackWindows === undefined || trackWindows.byVersion.size === 0) continue;
      const versions = [...trackWindows.byVersion.values()].map((window) => ({
        version: window.version,
        requests: window.requests,
        errors5xx: window.errors5xx,
        headerMatches: window.headerMatches,
        cookieMatches: window.cookieMatches,
        latenciesMs: window.recent(),
      }));
      const latest = trackWindows.latest?.version;
      detail[track] = latest === undefined ? { versions } : { latest, versions };
    }
    const mirror = this.mirrors.get(listenerKey) ?? { sent: 0, skipped: 0, failed: 0 };
    return { tracks: detail, mirror: { ...mirror } };
  }

  open(
    service: string,
    environment: string,
    options: { readonly maxLatencySamples?: number } = {},
  ): ImmediateSampleWindow {
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
    const handle = this.handleOf(route);
    const index = trackIndex[track];
    const version = upstream === undefined ? 'none' : upstream.version;
    handle.series[index]!.get(byRouter ? 'none' : version).observe(status, ms / 1_000);
    // A router error on an upstream's behalf is what that version's users saw.
    handle.windows[index]!.get(version).add(ms, status);
    const samples = handle.samples;
    if (samples.open.length !== 0) samples.add(index, upstream, status, ms);
  }

  private recordMatch(
    route: RoutingTable,
    track: Track,
    upstream: Upstream,
    source: MatchSource,
  ): void {
    const handle = this.handleOf(route);
    const index = trackIndex[track];
    const header = source === 'header';
    handle.series[index]!.get(upstream.version).matches[header ? 0 : 1]!++;
    const window = handle.windows[index]!.get(upstream.version);
    if (header) window.headerMatches++;
    else window.cookieMatches++;
  }

  private handleOf(route: RoutingTable): RouteHandle {
    return this.handles.get(route) ?? this.resolve(route);
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
    let mirror = this.mirrors.get(listenerKey);
    if (mirror === undefined) {
      mirror = { sent: 0, skipped: 0, failed: 0 };
      this.mirrors.set(listenerKey, mirror);
    }
    const handle = { series, windows, samples: this.samplesOf(listenerKey), mirror };
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

  private collectMatches(): CollectedSample[] {
    const samples: CollectedSample[] = [];
    for (const series of this.allSeries()) {
      series.matches.forEach((value, index) => {
        const source = index === 0 ? 'header' : 'cookie';
        if (value > 0) samples.push({ labels: { ...series.labels, source }, value });
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
