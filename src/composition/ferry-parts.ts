import type { MetricProvider } from '../features/analysis/metric-provider.js';
import type { OpenMigrationDatabase } from '../features/migrations/migration-database.js';
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
  /**
   * Opens the database a service migrates (PostgreSQL in `realParts`); without it a deployment
   * of a service with a `database` is refused by its expand gate.
   */
  readonly openMigrationDatabase?: OpenMigrationDatabase;
  /**
   * Database migrations (status, contract, the contract guard, the lint gate); built on
   * `openMigrationDatabase` when not given, none without either.
   */
  readonly migrations?: MigrationAdapters;
}
