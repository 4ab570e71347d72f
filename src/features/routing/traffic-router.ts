/** One upstream the router can send requests to: a ready instance. */
export interface Upstream {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly version: string;
}

export const tracks = ['stable', 'canary', 'baseline', 'mirror'] as const;
export type Track = (typeof tracks)[number];

/** Listeners of one service/environment: its route, and blue-green's preview route. */
export const listenerKinds = ['main', 'preview'] as const;
export type ListenerKind = (typeof listenerKinds)[number];

/** What a canary match reads: a request header or a cookie. */
export type MatchSource = 'header' | 'cookie';

/** A request header or cookie test that sends matching requests to the canary track. */
export interface RequestMatch {
  readonly source: MatchSource;
  /** Header names lower-cased; cookie names as written. */
  readonly name: string;
  readonly kind: 'exact' | 'prefix' | 'regex';
  readonly value: string;
}

/**
 * The routing table of one listener of a service in an environment. Without a canary it sends
 * everything to the stable track; during a canary it splits by weight (canary, baseline, rest to
 * stable), honours header/cookie matches and sticky cookies, and mirrors a share of requests.
 */
export interface RoutingTable {
  readonly service: string;
  readonly environment: string;
  /** Default `main`. */
  readonly listener?: ListenerKind;
  readonly listen: { readonly host: string; readonly port: number };
  readonly backends: Readonly<Partial<Record<Track, readonly Upstream[]>>>;
  /** Percent (0–100, 0.1 steps) of requests for the canary track. Default 0. */
  readonly canaryWeight?: number;
  /**
   * Percent (0–100, 0.1 steps) of requests for the baseline track: fresh instances of the stable
   * version beside the canary, so the judge compares like with like. Clamped to
   * `100 - canaryWeight`; header/cookie matches never go to it. Default 0.
   */
  readonly baselineWeight?: number;
  /** Requests matching any of these go to the canary track whatever the weight. */
  readonly canaryMatches?: readonly RequestMatch[];
  /** Percent of requests copied to the canary track; their answers are discarded. Default 0. */
  readonly mirrorPercent?: number;
  /**
   * Keeps a client on the version it first got, by this cookie, for `maxAgeSeconds` (unset: the
   * browser session). Requests a canary match routed are not pinned.
   */
  readonly sticky?: { readonly cookie: string; readonly maxAgeSeconds?: number } | null;
}

/** Ferry's data plane: the controller tells it where traffic goes. */
export interface TrafficRouter {
  /** Creates or replaces the table of one service/environment; opens its listener if new. */
  apply(table: RoutingTable): Promise<void>;
  /**
   * Resolves when no request is in flight to the upstream (after it left the table), or when
   * `timeoutMs` passes. Keep-alive sockets to it are closed. Upgraded connections (WebSocket)
   * to it are closed after `tunnelsMs` (default and at most `timeoutMs`), so idle ones do not
   * hold the drain to its end.
   */
  drain(upstreamId: string, timeoutMs: number, tunnelsMs?: number): Promise<void>;
  /** Closes a listener of one service/environment (default `main`); unknown ones are ignored. */
  remove(service: string, environment: string, listener?: ListenerKind): Promise<void>;
  close(): Promise<void>;
}

/** What one track of a listener served lately, as the router counts it. */
export interface TrackFigures {
  /** The version that answered last on this track; `none` if only the router answered. */
  readonly version: string;
  /** Responses of that version since the router started counting it, router errors included. */
  readonly requests: number;
  readonly errors5xx: number;
  /** Over the router's recent window of that version's responses, to the response head. */
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
}

/**
 * The router's figures of one listener (default `main`) of a service/environment, as analysis
 * reads them; tracks that served nothing are absent.
 */
export type RouteFigures = (
  service: string,
  environment: string,
  listener?: ListenerKind,
) => MaybePromise<{ readonly tracks: Partial<Record<Track, TrackFigures>> }>;

/** A value now (the router in this process) or later (a router over its control channel). */
export type MaybePromise<T> = T | Promise<T>;

/** How many requests of one version on one track a canary match routed, since the router started. */
export interface TrackMatches {
  readonly headerMatches: number;
  readonly cookieMatches: number;
}

/** Mirrored copies of one listener since the router started. */
export interface MirrorFigures {
  /** Copies sent to a canary upstream. */
  readonly sent: number;
  /** Requests picked for a copy that got none: body too large or chunked, too many in flight, cut. */
  readonly skipped: number;
  /** Copies sent that got no answer: refused, reset or timed out. */
  readonly failed: number;
}

/** Everything the router counts of one listener, for `ferry rollout get`; a {@link RouteFigures} result. */
export interface ListenerFigures {
  readonly tracks: Partial<Record<Track, TrackFigures & TrackMatches>>;
  readonly mirror: MirrorFigures;
}

/** The router's figures of one listener (default `main`) of a service/environment, in full. */
export type ListenerFiguresOf = (
  service: string,
  environment: string,
  listener?: ListenerKind,
) => MaybePromise<ListenerFigures>;

/** Figures of a listener that served nothing yet. */
export const noFigures: ListenerFigures = {
  tracks: {},
  mirror: { sent: 0, skipped: 0, failed: 0 },
};
