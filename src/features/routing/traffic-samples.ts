import type { MaybePromise, Track } from './traffic-router.js';

/** What one track of a listener served since a sample window opened. */
export interface TrackSample {
  /** The version that answered last on this track in the window; `none` if only the router did. */
  readonly version: string;
  /** Responses in the window, router errors included. */
  readonly requests: number;
  /** Of those, 5xx responses. */
  readonly errors5xx: number;
  /**
   * Time to the response head of requests in the window, in ms. When more than the window's cap
   * arrived, a uniform reservoir sample of them (every response equally likely to be kept).
   */
  readonly latenciesMs: readonly number[];
}

/** An open window of per-track samples of one service/environment's main listener. */
export interface SampleWindow {
  /** What each track served since `open`; tracks that served nothing are absent. */
  read(): MaybePromise<Partial<Record<Track, TrackSample>>>;
  /** Stops collecting; `read` keeps answering what was collected. Idempotent. */
  close(): void;
}

/** A window read in this process: its figures are there at once. */
export interface ImmediateSampleWindow extends SampleWindow {
  read(): Partial<Record<Track, TrackSample>>;
}

/**
 * Raw samples of what the router served, for comparing the canary with the baseline over a
 * window (Mann-Whitney U wants the latencies themselves, not percentiles).
 *
 * @example
 * const window = sampler.open('web', 'prod', { maxLatencySamples: 5000 });
 * // ... 60 s later
 * const { canary, baseline } = await window.read(); window.close();
 */
export interface TrafficSampler {
  open(
    service: string,
    environment: string,
    options?: {
      /** Latencies kept per track (reservoir). Default 10,000. */
      readonly maxLatencySamples?: number;
    },
  ): SampleWindow;
}
