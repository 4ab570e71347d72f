import type { CompiledTable } from './compiled-table.js';
import type { Mirror } from './mirror.js';
import type { MatchHook, ResponseHook } from './proxy-hooks.js';
import type { TrustedProxies } from './trusted-proxies.js';

export interface ProxySettings {
  /**
   * How long the upstream may take to send the response head (504 after it), and then stay
   * silent between body chunks (the response is cut).
   */
  readonly responseTimeoutMs: number;
  readonly onResponse: ResponseHook | undefined;
  readonly onMatch: MatchHook | undefined;
  readonly mirror: Mirror;
  /** Whose X-Forwarded-* fields are kept (ferry.yaml `router.trustedProxies`). */
  readonly trustedProxies: TrustedProxies;
}

/** Where requests read the routing table: one reference, swapped atomically by `apply`. */
export interface TableHolder {
  readonly table: CompiledTable;
}
