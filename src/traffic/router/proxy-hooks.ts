import type {
  MatchSource,
  RoutingTable,
  Track,
  Upstream,
} from '../../features/routing/traffic-router.js';

/**
 * Called once per response with the route (the table's source: service, environment, listener),
 * the track and upstream that served it, the status the client got and `startedAt`, the
 * `performance.now()` of the request's arrival; the duration ends at the response head.
 * `byRouter` is true when the router answered itself (503 `no_upstream`, 502, 504): `upstream` is
 * then the one that failed, or `undefined` when there was none. Mirrored copies report track
 * `mirror`. The single place where per-track counters and latency histograms hook in; unset, it
 * costs one comparison.
 */
export type ResponseHook = (
  route: RoutingTable,
  track: Track,
  upstream: Upstream | undefined,
  status: number,
  startedAt: number,
  byRouter: boolean,
) => void;

/**
 * Called for each request a canary header or cookie match routed, with the track and upstream
 * it goes to first; unset, it costs one comparison.
 */
export type MatchHook = (
  route: RoutingTable,
  track: Track,
  upstream: Upstream,
  source: MatchSource,
) => void;
