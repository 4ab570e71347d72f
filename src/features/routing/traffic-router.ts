/** One upstream the router can send requests to: a ready instance. */
export interface Upstream {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly version: string;
}

export const tracks = ['stable', 'canary', 'baseline', 'mirror'] as const;
export type Track = (typeof tracks)[number];

/**
 * The routing table of one service in one environment. Issue 2 only uses the stable track at
 * 100%; weights, header and cookie routes and mirroring extend it without changing its shape.
 */
export interface RoutingTable {
  readonly service: string;
  readonly environment: string;
  readonly listen: { readonly host: string; readonly port: number };
  readonly backends: Readonly<Partial<Record<Track, readonly Upstream[]>>>;
  /** Percent of traffic per track (stable + canary = 100). Missing: stable gets 100. */
  readonly weights?: Readonly<Partial<Record<Track, number>>>;
}

/** Ferry's data plane: the controller tells it where traffic goes. */
export interface TrafficRouter {
  /** Creates or replaces the table of one service/environment; opens its listener if new. */
  apply(table: RoutingTable): Promise<void>;
  /**
   * Resolves when no request is in flight to the upstream (after it left the table), or when
   * `timeoutMs` passes. Keep-alive sockets to it are closed.
   */
  drain(upstreamId: string, timeoutMs: number): Promise<void>;
  /** Closes the listener of one service/environment. */
  remove(service: string, environment: string): Promise<void>;
  close(): Promise<void>;
}
