import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import type { FerryConfig } from '../config/ferry-config.js';
import { dataFolderBlobs } from '../features/artifacts/blob-store.js';
import { LocalRuntime } from '../runtime/local/local-runtime.js';
import type { Database } from '../store/schema.js';
import { createRouterMetrics } from '../traffic/router/router-metrics.js';
import { Router } from '../traffic/router/router.js';
import { withDataPlanes } from './data-planes.js';
import type { FerryParts } from './ferry-parts.js';
import { kyselyStores } from './kysely-stores.js';

/**
 * The parts `ferry server` runs on: Kysely stores on the opened database, processes on this
 * machine, and the built-in router, whose metrics (in `registry`) feed analysis and the judge.
 */
export function realParts(options: {
  readonly db: Kysely<Database>;
  readonly dataDir: string;
  readonly config: FerryConfig;
  readonly registry: Registry;
}): FerryParts {
  const metrics = createRouterMetrics(options.registry);
  const blobs = dataFolderBlobs(options.dataDir);
  return {
    stores: kyselyStores(options.db),
    // The runtime finds an artifact's tarball by its digest, in the data folder's blob store.
    runtime: new LocalRuntime({
      dataDir: options.dataDir,
      artifactPath: (digest) => blobs.path(digest),
    }),
    // Environments on `dataPlane: haproxy` are routed by an HAProxy (composition/data-planes.ts).
    ...withDataPlanes(options, {
      router: new Router({
        metrics,
        timeouts: options.config.router.timeouts,
        trustedProxies: options.config.router.trustedProxies,
      }),
      routeFigures: (service, environment, listener) =>
        metrics.snapshot(service, environment, listener),
    }),
    sampler: metrics,
  };
}
