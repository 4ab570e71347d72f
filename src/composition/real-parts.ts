import type { Kysely } from 'kysely';
import { dataFolderBlobs } from '../features/artifacts/blob-store.js';
import { postgresMigrationDatabases } from '../features/migrations/postgres-migration-database.js';
import { LocalRuntime } from '../runtime/local/local-runtime.js';
import type { Database } from '../store/schema.js';
import type { FerryConfig } from '../config/ferry-config.js';
import type { RouterSupervisor } from '../traffic/control/router-supervisor.js';
import { withDataPlanes } from './data-planes.js';
import type { FerryParts } from './ferry-parts.js';
import { kyselyStores } from './kysely-stores.js';

/**
 * The parts `ferry server` runs on: Kysely stores on the opened database, processes on this
 * machine, and the data folder's `ferry router` process through its supervisor, whose counters
 * and sample windows feed analysis and the judge. Closing the parts lets go of the router's
 * control channel only: the router keeps serving after the server stops.
 */
export function realParts(options: {
  readonly db: Kysely<Database>;
  readonly dataDir: string;
  readonly config: FerryConfig;
  /** Where the data planes read each environment's plane at use time; else `config`. */
  readonly holder?: { readonly current: FerryConfig };
  readonly router: RouterSupervisor;
}): FerryParts {
  const blobs = dataFolderBlobs(options.dataDir);
  const { router } = options;
  return {
    stores: kyselyStores(options.db),
    // The runtime finds an artifact's tarball by its digest, in the data folder's blob store.
    runtime: new LocalRuntime({
      dataDir: options.dataDir,
      artifactPath: (digest) => blobs.path(digest),
    }),
    // Environments on `dataPlane: haproxy` are routed by an HAProxy (composition/data-planes.ts).
    ...withDataPlanes(
      { ...options, config: liveEnvironments(options) },
      {
        router,
        routeFigures: (service, environment, listener) =>
          router.figures(service, environment, listener),
      },
    ),
    sampler: router.sampler,
    // Services' own databases, which the expand gate migrates (never Ferry's store).
    openMigrationDatabase: postgresMigrationDatabases(),
  };
}

/** The configuration, its environments read from the holder at each use when there is one. */
function liveEnvironments(options: {
  readonly config: FerryConfig;
  readonly holder?: { readonly current: FerryConfig };
}): FerryConfig {
  const { holder } = options;
  if (!holder) return options.config;
  return {
    ...options.config,
    get environments() {
      return holder.current.environments;
    },
  };
}
