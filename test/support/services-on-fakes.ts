import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MigrationAdapters } from '../../src/composition/compose-migrations.js';
import type { OpenMigrationDatabase } from '../../src/features/migrations/migration-database.js';
import { composeServices } from '../../src/composition/compose-services.js';
import type { FerryConfig } from '../../src/config/ferry-config.js';
import { inMemoryStores } from '../../src/composition/in-memory-stores.js';
import { parseConfig } from '../../src/config/load-config.js';
import { ManualScheduler } from '../../src/features/analysis/manual-scheduler.js';
import { FakeInstanceRuntime } from '../../src/features/instances/fake-instance-runtime.js';
import { FakeTrafficRouter } from '../../src/features/routing/fake-traffic-router.js';
import { KeyedQueue } from '../../src/shared/keyed-queue.js';
import { capturedLogger } from './captured-logger.js';

/**
 * Everything behind the API for `yaml`, composed on fakes (in-memory stores, a pretend runtime
 * whose instances turn ready by themselves, a fake router) and a manual scheduler starting at
 * `startAt`. `remove()` deletes its data folder.
 */
export function servicesOnFakes(
  yaml: string,
  startAt: string,
  /** Further parts (migration adapters), or a config adjusted after parsing. */
  extra: {
    readonly migrations?: MigrationAdapters;
    /** Opens a service's database for the expand gate; without it the gate refuses to run. */
    readonly openMigrationDatabase?: OpenMigrationDatabase;
    readonly adjust?: (config: FerryConfig) => FerryConfig;
  } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-fakes-'));
  const scheduler = new ManualScheduler(Date.parse(startAt));
  const stores = inMemoryStores();
  const runtime = new FakeInstanceRuntime({ autoReady: true, scheduler });
  const router = new FakeTrafficRouter();
  const services = composeServices(
    {
      config: (extra.adjust ?? ((c) => c))(parseConfig(yaml, 'ferry.yaml')),
      clock: scheduler.clock,
      scheduler,
      dataDir: dir,
      logger: capturedLogger().logger,
      locks: new KeyedQueue(),
      // Reconciles come from the test, never from a real timer.
      tickMs: 3_600_000,
    },
    {
      stores,
      runtime,
      router,
      ...(extra.migrations ? { migrations: extra.migrations } : {}),
      ...(extra.openMigrationDatabase
        ? { openMigrationDatabase: extra.openMigrationDatabase }
        : {}),
    },
  );
  return {
    services,
    stores,
    runtime,
    router,
    scheduler,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
