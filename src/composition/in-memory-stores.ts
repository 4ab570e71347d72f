import { InMemoryAnalysisRunStore } from '../features/analysis/in-memory-analysis-run-store.js';
import { InMemoryApprovalStore } from '../features/approvals/in-memory-approval-store.js';
import { InMemoryAuditStore } from '../features/audit/in-memory-audit-store.js';
import { InMemoryArtifactStore } from '../features/artifacts/in-memory-artifact-store.js';
import { InMemoryTokenStore } from '../features/auth/in-memory-token-store.js';
import { InMemoryDeploymentStore } from '../features/deployments/in-memory-deployment-store.js';
import { InMemoryStopStore } from '../features/deployments/in-memory-stop-store.js';
import { InMemoryEventStore } from '../features/events/in-memory-event-store.js';
import { InMemoryGateResultStore } from '../features/gate-results/in-memory-gate-result-store.js';
import { InMemoryInstanceStore } from '../features/instances/in-memory-instance-store.js';
import { InMemoryLeaseStore } from '../features/leases/in-memory-lease-store.js';
import type { FerryStores } from './ferry-stores.js';

/**
 * The fake stores: every port in memory, for tests that compose a whole server without a
 * database. Each passes the same contract suite as its Kysely twin.
 */
export function inMemoryStores(): FerryStores {
  // A deployment's change and its events commit together: both stores share the events.
  const events = new InMemoryEventStore();
  return {
    events,
    artifacts: new InMemoryArtifactStore(),
    tokens: new InMemoryTokenStore(),
    deployments: new InMemoryDeploymentStore(events),
    leases: new InMemoryLeaseStore(),
    instances: new InMemoryInstanceStore(),
    stops: new InMemoryStopStore(),
    analysisRuns: new InMemoryAnalysisRunStore(),
    gateResults: new InMemoryGateResultStore(),
    audit: new InMemoryAuditStore(),
    approvals: new InMemoryApprovalStore(),
    close: () => Promise.resolve(),
  };
}
