import type { MigrationFile } from './domain/migration-file.js';

/**
 * The migration files an artifact ships (under its service's `database.migrations` folder), read
 * and parsed, ordered by version; empty when it ships none. Reading the artifact is the rollout
 * integration's part; the migrations service takes it as given.
 */
export type ArtifactMigrations = (
  service: string,
  digest: string,
) => Promise<readonly MigrationFile[]>;
