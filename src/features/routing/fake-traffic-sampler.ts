import { tracks, type ListenerKind, type Track } from './traffic-router.js';
import type { ImmediateSampleWindow, TrackSample, TrafficSampler } from './traffic-samples.js';

/** One response as the router counts it for sampling. */
export interface FakeResponse {
  /** Version of the upstream that answered; absent when the router answered without one. */
  readonly version?: string;
  /** Default 200. */
  readonly status?: number;
  readonly latencyMs: number;
}

/** Many responses of one version at once: one per latency, the first `errors5xx` of them 500s. */
export interface FakeTrackFeed {
  readonly version: string;
  readonly latenciesMs: readonly number[];
  /** Default 0. */
  readonly errors5xx?: number;
}

/**
 * TrafficSampler in memory, for tests of what reads samples (the judge): a test feeds responses
 * per track, and every window open on the service/environment's main listener counts them, as
 * the router's metrics would. Deterministic: the latency reservoir draws from a seeded generator.
 *
 * @example
 * const sampler = new FakeTrafficSampler();
 * const window = sampler.open('web', 'prod');
 * sampler.feed('web', 'prod', 'canary', { version: '2.0.0', latenciesMs: [12, 15], errors5xx: 1 });
 * window.read().canary; // { version: '2.0.0', requests: 2, errors5xx: 1, latenciesMs: [12, 15] }
 */
export class FakeTrafficSampler implements TrafficSampler {
  private readonly windows = new Map<string, FakeWindow[]>();
  private readonly random: () => number;

  /** `random` in [0, 1) picks what the reservoir keeps; default a generator seeded with 1. */
  constructor(options: { readonly random?: () => number } = {}) {
    this.random = options.random ?? seeded(1);
  }

  open(
    service: string,
    environment: string,
    options: { readonly maxLatencySamples?: number } = {},
  ): ImmediateSampleWindow {
    const cap = options.maxLatencySamples ?? 10_000;
    if (!Number.isInteger(cap) || cap < 0) {
      throw new RangeError(`maxLatencySamples must be a whole number of 0 or more, got ${cap}`);
    }
    const key = keyOf(service, environment);
    const window = new FakeWindow(cap, this.random, () => {
      this.windows.set(
        key,
        this.openOf(key).filter((other) => other !== window),
      );
    });
    this.windows.set(key, [...this.openOf(key), window]);
    return window;
  }

  /** One response on a track of a listener (default `main`: the only one windows count). */
  respond(
    service: string,
    environment: string,
    track: Track,
    response: FakeResponse,
    listener: ListenerKind = 'main',
  ): void {
    if (listener !== 'main') return;
    for (const window of this.openOf(keyOf(service, environment))) window.add(track, response);
  }

  /** Responses of one version on a track of the main listener, in order. */
  feed(service: string, environment: string, track: Track, feed: FakeTrackFeed): void {
    feed.latenciesMs.forEach((latencyMs, index) => {
      const status = index < (feed.errors5xx ?? 0) ? 500 : 200;
      this.respond(service, environment, track, { version: feed.version, status, latencyMs });
    });
  }

  /** Windows open on a service/environment: a reader that forgets to close one leaks it. */
  openWindows(service: string, environment: string): number {
    return this.openOf(keyOf(service, environment)).length;
  }

  private openOf(key: string): readonly FakeWindow[] {
    return this.windows.get(key) ?? [];
  }
}

interface Collected {
  version: string;
  requests: number;
  errors5xx: number;
  readonly latenciesMs: number[];
}

class FakeWindow implements ImmediateSampleWindow {
  private readonly byTrack = new Map<Track, Collected>();
  private closed = false;

  constructor(
    private readonly cap: number,
    private readonly random: () => number,
    private readonly onClose: () => void,
  ) {}

  add(track: Track, response: FakeResponse): void {
    let collected = this.byTrack.get(track);
    if (!collected) {
      collected = { version: 'none', requests: 0, errors5xx: 0, latenciesMs: [] };
      this.byTrack.set(track, collected);
    }
    if (response.version !== undefined) collected.version = response.version;
    const seen = ++collected.requests;
    if ((response.status ?? 200) >= 500) collected.errors5xx++;
    if (seen <= this.cap) {
      collected.latenciesMs.push(response.latencyMs);
      return;
    }
    const slot = Math.floor(this.random() * seen);
    if (slot < this.cap) collected.latenciesMs[slot] = response.latencyMs;
  }

  read(): Partial<Record<Track, TrackSample>> {
    const samples: Partial<Record<Track, TrackSample>> = {};
    for (const track of tracks) {
      const collected = this.byTrack.get(track);
      if (collected) samples[track] = { ...collected, latenciesMs: [...collected.latenciesMs] };
    }
    return samples;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }
}

function keyOf(service: string, environment: string): string {
  return `${service}\u0000${environment}`;
}

/** Mulberry32: a small seeded generator, so a test's reservoir is the same on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
