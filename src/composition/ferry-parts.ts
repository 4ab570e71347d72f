import type { MetricProvider } from '../features/analysis/metric-provider.js';
import type { InstanceRuntime } from '../features/instances/instance-runtime.js';
import type { ListenerFiguresOf, TrafficRouter } from '../features/routing/traffic-router.js';
import type { TrafficSampler } from '../features/routing/traffic-samples.js';
import type { SmokeChecksOf } from './compose-deployments.js';
import type { MigrationAdapters } from './compose-migrations.js';
import type { FerryStores } from './ferry-stores.js';

/**
 * The adapters behind the server's ports. `realParts` gives the ones `ferry server` runs on;
 * a test passes fakes (in-memory stores, a fake runtime and router) to the same composition.
 */
export interface FerryParts {
  readonly stores: FerryStores;
  readonly runtime: InstanceRuntime;
  readonly router: TrafficRouter;
  /** The router's counters per track and of mirroring: builtin analysis metrics and `ferry rollout get`. */
  readonly routeFigures?: ListenerFiguresOf;
  /** The router's raw samples, for the canary judge; without it `judge` steps cannot run. */
  readonly sampler?: TrafficSampler;
  /** Measures analysis metrics; by default every provider kind, builtin ones on `routeFigures`. */
  readonly metrics?: MetricProvider;
  /** Smoke checks of new instances; real HTTP checks by default. */
  readonly smokeChecks?: SmokeChecksOf;
  /** Database migrations (status, contract, the contract guard, the lint gate); none without. */
  readonly migrations?: MigrationAdapters;
}
