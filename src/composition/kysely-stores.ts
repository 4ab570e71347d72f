import type { Kysely } from 'kysely';
import { KyselyApprovalStore } from '../features/approvals/kysely-approval-store.js';
import { KyselyAuditStore } from '../features/audit/kysely-audit-store.js';
import { KyselyAnalysisRunStore } from '../features/analysis/kysely-analysis-run-store.js';
import { KyselyArtifactStore } from '../features/artifacts/kysely-artifact-store.js';
import { KyselyTokenStore } from '../features/auth/kysely-token-store.js';
import { KyselyDeploymentStore } from '../features/deployments/kysely-deployment-store.js';
import { KyselyStopStore } from '../features/deployments/kysely-stop-store.js';
import { KyselyEventStore } from '../features/events/kysely-event-store.js';
import { KyselyGateResultStore } from '../features/gate-results/kysely-gate-result-store.js';
import { KyselyInstanceStore } from '../features/instances/kysely-instance-store.js';
import type { Database } from '../store/schema.js';
import { KyselyLeaseStore } from '../features/leases/kysely-lease-store.js';
import type { FerryStores } from './ferry-stores.js';

/** The real stores: every port on the one opened database (SQLite or PostgreSQL), closed with it. */
export function kyselyStores(db: Kysely<Database>): FerryStores {
  return {
    events: new KyselyEventStore(db),
    artifacts: new KyselyArtifactStore(db),
    tokens: new KyselyTokenStore(db),
    deployments: new KyselyDeploymentStore(db),
    instances: new KyselyInstanceStore(db),
    stops: new KyselyStopStore(db),
    analysisRuns: new KyselyAnalysisRunStore(db),
    leases: new KyselyLeaseStore(db),
    gateResults: new KyselyGateResultStore(db),
    audit: new KyselyAuditStore(db),
    approvals: new KyselyApprovalStore(db),
    close: () => db.destroy(),
  };
}
