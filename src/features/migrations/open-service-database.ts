import type { DatabaseConfig } from '../deployments/domain/service-spec.js';
import type { MigrationDatabase } from './migration-database.js';

/**
 * Opens the migration database of a service in an environment: resolves `database.url` (the
 * service's effective `env` there, then Ferry's own environment) and connects. The caller closes
 * it. Throws a FerryError naming the variable when it is not set.
 */
export type OpenServiceDatabase = (
  target: { readonly service: string; readonly environment: string },
  database: DatabaseConfig,
) => MigrationDatabase;
