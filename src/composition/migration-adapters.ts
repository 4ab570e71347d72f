import type { FerryConfig } from '../config/ferry-config.js';
import { FerryError } from '../errors/ferry-error.js';
import type { BlobStore } from '../features/artifacts/blob-store.js';
import { effectiveService } from '../features/deployments/domain/effective-service.js';
import { databaseUrlOf } from '../features/migrations/domain/database-url.js';
import { planMigrations } from '../features/migrations/domain/plan-migrations.js';
import { squawkLintMigrations } from '../features/migrations/lint/squawk-lint-migrations.js';
import type { OpenMigrationDatabase } from '../features/migrations/migration-database.js';
import { readArtifactMigrations } from '../features/migrations/read-artifact-migrations.js';
import type { MigrationAdapters } from './compose-migrations.js';

/**
 * The migrations feature's adapters on the server's own parts: an artifact's files read from its
 * tarball in the blob store, the service's database opened from the URL its effective env (or
 * Ferry's environment) holds, the runner's plan, and squawk with Ferry's classification as lint.
 */
export function migrationAdapters(parts: {
  readonly blobs: BlobStore;
  readonly config: () => FerryConfig;
  readonly open: OpenMigrationDatabase;
  readonly ferryEnv: Readonly<Record<string, string | undefined>>;
}): MigrationAdapters {
  return {
    async filesOf(service, digest) {
      const database = parts.config().services[service]?.database;
      if (!database) return [];
      const parsed = await readArtifactMigrations(parts.blobs, digest, database.migrations);
      return parsed.files;
    },
    openDatabase(target, database) {
      const spec = parts.config().services[target.service];
      if (!spec) throw new FerryError('not_found', `no service ${target.service} in ferry.yaml`);
      const effective = { ...effectiveService(spec, target.environment), database };
      const url = databaseUrlOf(effective, target.environment, parts.ferryEnv);
      if (!url.found) throw new FerryError('conflict', url.message);
      return parts.open(url.url);
    },
    plan: planMigrations,
    lint: squawkLintMigrations,
  };
}
