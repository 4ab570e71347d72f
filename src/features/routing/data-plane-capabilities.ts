import type { DataPlaneKind } from '../../config/ferry-config.js';

/**
 * What a data plane can do with a routing table, one flag per feature a strategy may need.
 * Config validation (`config/check-data-plane.ts`) rejects, at file:line:col, a strategy that
 * needs what its environment's data plane lacks, so no rollout finds out half way.
 */
export const dataPlaneCapabilityNames = [
  /** Splits by `canaryWeight`/`baselineWeight` (canary and its baseline). */
  'weights',
  /** Sends requests matching a header test to the canary (`setHeaderRoute` with `header:`). */
  'headerRoutes',
  /** Sends requests matching a cookie test to the canary (`setHeaderRoute` with `cookie:`). */
  'cookieRoutes',
  /** Pins a client to the version it first got (`canary.stickySession`). */
  'stickySessions',
  /** Copies a share of requests to the canary (`setMirror`). */
  'mirroring',
  /** Raw per-request latencies for the canary judge (`judge` steps). */
  'latencySamples',
  /** Latency percentiles per track (builtin `latency_p50`, `latency_p95`, `latency_p99`). */
  'latencyPercentiles',
  /** Tunnels upgraded connections (WebSocket). */
  'websockets',
] as const;

export type DataPlaneCapability = (typeof dataPlaneCapabilityNames)[number];

/** Per capability, whether the data plane has it. */
export type DataPlaneCapabilities = Readonly<Record<DataPlaneCapability, boolean>>;

/** Ferry's own router does everything a routing table can say. */
export const ferryRouterCapabilities: DataPlaneCapabilities = {
  weights: true,
  headerRoutes: true,
  cookieRoutes: true,
  stickySessions: true,
  mirroring: true,
  latencySamples: true,
  latencyPercentiles: true,
  websockets: true,
};

/**
 * What Ferry's HAProxy adapter (`traffic/haproxy/`) does. Weights: per-server weights over the
 * Runtime API. WebSockets: HAProxy tunnels upgrades itself. Not built: header/cookie routes,
 * stickiness and mirroring (HAProxy 2.6 has no request mirroring of its own); and HAProxy's
 * counters give per-server averages, neither raw samples for the judge nor percentiles.
 */
export const haproxyCapabilities: DataPlaneCapabilities = {
  weights: true,
  headerRoutes: false,
  cookieRoutes: false,
  stickySessions: false,
  mirroring: false,
  latencySamples: false,
  latencyPercentiles: false,
  websockets: true,
};

/** The capabilities of each data plane ferry.yaml can name. */
export const dataPlaneCapabilities: Readonly<Record<DataPlaneKind, DataPlaneCapabilities>> = {
  ferry: ferryRouterCapabilities,
  haproxy: haproxyCapabilities,
};

/** What a strategy field needs, said the way a person reads it in an error. */
export const capabilityLabels: Readonly<Record<DataPlaneCapability, string>> = {
  weights: 'weighted traffic splits',
  headerRoutes: 'header routes',
  cookieRoutes: 'cookie routes',
  stickySessions: 'sticky sessions',
  mirroring: 'request mirroring',
  latencySamples: 'raw latency samples for the judge',
  latencyPercentiles: 'latency percentiles',
  websockets: 'WebSocket tunnels',
};
