import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as initial from './migrations/001-initial.js';
import * as rolloutState from './migrations/002-rollout-state.js';
import * as analysis from './migrations/003-analysis.js';
import * as analysisStep from './migrations/004-analysis-step.js';
import * as instanceSmoke from './migrations/005-instance-smoke.js';
import * as apiTokens from './migrations/006-api-tokens.js';
import * as fastRollback from './migrations/007-fast-rollback.js';
import * as serviceStops from './migrations/008-service-stops.js';
import * as runtimeNeutral from './migrations/009-runtime-neutral.js';
import * as scopeLeases from './migrations/010-scope-leases.js';
import * as instanceHandle from './migrations/011-instance-handle.js';
import * as deploymentCauses from './migrations/012-deployment-causes.js';
import * as gateResults from './migrations/013-gate-results.js';
import * as artifactMetadata from './migrations/014-artifact-metadata.js';
import * as auditLog from './migrations/015-audit-log.js';
import * as approvals from './migrations/016-approvals.js';

/** Migrations are compiled in, not read from disk, so `dist/` and tests run the same list. */
const migrations: Record<string, Migration> = {
  '001-initial': initial,
  '002-rollout-state': rolloutState,
  '003-analysis': analysis,
  '004-analysis-step': analysisStep,
  '005-instance-smoke': instanceSmoke,
  '006-api-tokens': apiTokens,
  '007-fast-rollback': fastRollback,
  '008-service-stops': serviceStops,
  '009-runtime-neutral': runtimeNeutral,
  '010-scope-leases': scopeLeases,
  '011-instance-handle': instanceHandle,
  '012-deployment-causes': deploymentCauses,
  '013-gate-results': gateResults,
  '014-artifact-metadata': artifactMetadata,
  '015-audit-log': auditLog,
  '016-approvals': approvals,
};

/** Every migration, in order; tests migrate to one of them to check the next. */
export const migrationProvider: MigrationProvider = { getMigrations: async () => migrations };

/** Brings the schema up to date; runs at every start. */
export async function migrateToLatest(db: Kysely<unknown>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}
