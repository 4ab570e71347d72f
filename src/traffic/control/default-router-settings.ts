import type { RouterSettings } from './control-protocol.js';

/** What `ferry router` runs with when not told: ferry.yaml's `router` defaults. */
export const defaultRouterSettings: RouterSettings = {
  timeouts: { headersMs: 10_000, idleMs: 60_000 },
  trustedProxies: [],
  workers: 1,
};
