import type { ApprovalStore } from '../features/approvals/approval-store.js';
import type { AnalysisRunStore } from '../features/analysis/analysis-run-store.js';
import type { AuditStore } from '../features/audit/audit-store.js';
import type { ArtifactStore } from '../features/artifacts/artifact-store.js';
import type { TokenStore } from '../features/auth/token-store.js';
import type { DeploymentStore } from '../features/deployments/deployment-store.js';
import type { StopStore } from '../features/deployments/stop-store.js';
import type { EventStore } from '../features/events/event-store.js';
import type { GateResultStore } from '../features/gate-results/gate-result-store.js';
import type { LeaseStore } from '../features/leases/lease-store.js';
import type { InstanceStore } from '../features/instances/instance-store.js';

/**
 * Every store port the server uses, from one backend: Kysely on the opened database
 * (`kyselyStores`) or in memory (`inMemoryStores`), so a test runs the whole graph on either.
 */
export interface FerryStores {
  readonly events: EventStore;
  readonly artifacts: ArtifactStore;
  readonly tokens: TokenStore;
  readonly deployments: DeploymentStore;
  readonly instances: InstanceStore;
  readonly stops: StopStore;
  readonly analysisRuns: AnalysisRunStore;
  /** Scope leases: which server advances which service/environment. */
  readonly leases: LeaseStore;
  /** Evidence CI attaches to artifacts (gate results), append-only. */
  readonly gateResults: GateResultStore;
  /** The audit log of mutating API calls, append-only. */
  readonly audit: AuditStore;
  /** Approvals high-risk changes wait on, and people's decisions. */
  readonly approvals: ApprovalStore;
  /** Releases the backend (closes the database); the server calls it last when it closes. */
  close(): Promise<void>;
}
