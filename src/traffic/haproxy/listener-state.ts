import type { ListenerKind, Upstream } from '../../features/routing/traffic-router.js';
import type { WeightedTrack } from './track-weights.js';

/**
 * One server line of a listener's backend. Slots are allocated ahead so an upstream joins or
 * leaves over the Runtime API, without a reload; a free slot is in maintenance.
 */
export interface Slot {
  /** `s1`, `s2`, ...: the server's name in the backend. */
  readonly name: string;
  /** The upstream it sends to; null when free. */
  readonly upstream: Upstream | null;
  readonly track: WeightedTrack | null;
  readonly weight: number;
  /** Out of the table: weight 0 (HAProxy's drain) until `drain` frees the slot. */
  readonly leaving: boolean;
}

/** What Ferry told HAProxy about one listener: enough to write its config again. */
export interface ListenerState {
  readonly service: string;
  readonly environment: string;
  readonly listener: ListenerKind;
  /** The frontend's and the backend's name: `<service>.<environment>.<listener>`. */
  readonly proxy: string;
  /** Where the frontend binds (a table's port 0 is given a free port once). */
  readonly bind: { readonly host: string; readonly port: number };
  /** The address the table asked for; a table with the same one keeps `bind`. */
  readonly requested: { readonly host: string; readonly port: number };
  readonly slots: readonly Slot[];
}

/** The name of a listener's frontend and backend; service and environment names have no dot. */
export function proxyName(service: string, environment: string, listener?: ListenerKind): string {
  return `${service}.${environment}.${listener ?? 'main'}`;
}

/** `count` free slots named from `s<first>`. */
export function freeSlots(first: number, count: number): Slot[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `s${first + i}`,
    upstream: null,
    track: null,
    weight: 0,
    leaving: false,
  }));
}
