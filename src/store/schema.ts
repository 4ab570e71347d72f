import type { Generated } from 'kysely';

/** Row shapes of Ferry's tables. Times are ISO-8601 UTC strings; JSON columns are text. */
export interface Database {
  events: EventTable;
  artifacts: ArtifactTable;
  deployments: DeploymentTable;
  instances: InstanceTable;
  analysis_runs: AnalysisRunTable;
  analysis_measurements: AnalysisMeasurementTable;
  api_tokens: ApiTokenTable;
  service_stops: ServiceStopTable;
  scope_leases: ScopeLeaseTable;
  gate_results: GateResultTable;
  audit_log: AuditLogTable;
  approvals: ApprovalTable;
  approval_decisions: ApprovalDecisionTable;
}

export interface EventTable {
  id: Generated<number>;
  time: string;
  actor: string;
  kind: string;
  subject: string;
  payload: string;
}

export interface ArtifactTable {
  service: string;
  version: string;
  digest: string;
  source_commit: string | null;
  branch: string | null;
  build_url: string | null;
  /** JSON object of string to string; null when there is none. */
  meta: string | null;
  size_bytes: number;
  created_at: string;
}

export interface DeploymentTable {
  id: string;
  service: string;
  environment: string;
  kind: string;
  artifact_digest: string;
  version: string;
  phase: string;
  reason: string | null;
  previous_id: string | null;
  spec: string;
  actor: string;
  created_at: string;
  updated_at: string;
  last_progress_at: string;
  finished_at: string | null;
  rollout: string | null;
  /** 1 for a rollback within `rollbackWindow` (steps and analysis skipped), else 0. */
  fast_rollback: Generated<number>;
  /** JSON PhaseCause: why it is Paused, Aborted, RollingBack or Failed; null otherwise. */
  cause: string | null;
  /** JSON array of Condition: instance failures a callback recorded for the next reconcile. */
  conditions: string | null;
}

export interface InstanceTable {
  id: string;
  deployment_id: string;
  service: string;
  environment: string;
  version: string;
  artifact_digest: string;
  phase: string;
  host: string | null;
  port: number | null;
  /** JSON: the runtime's handle on the instance (opaque to the store); null until recorded. */
  handle: string | null;
  restarts: number;
  spec: string;
  created_at: string;
  updated_at: string;
  /** When its smoke checks passed; null until then (or when the service has none). */
  smoke_passed_at: string | null;
}

export interface AnalysisRunTable {
  id: string;
  deployment_id: string;
  /** `step-2`, `background`, ... */
  name: string;
  /** JSON: the templates as resolved when the run started. */
  templates: string;
  phase: string;
  message: string | null;
  started_at: string;
  finished_at: string | null;
  /** Who let the rollout go on past this run's Inconclusive verdict; null when nobody did. */
  overridden_by: string | null;
}

export interface AnalysisMeasurementTable {
  id: Generated<number>;
  run_id: string;
  metric: string;
  phase: string;
  /** JSON: what the provider returned (`null` for no data or an error). */
  value: string;
  message: string | null;
  sample_size: number | null;
  /** 0-based rollout step the measurement was taken at; null outside a stepped rollout. */
  step: number | null;
  at: string;
}

export interface ApiTokenTable {
  id: string;
  name: string;
  /** `admin` for now; viewer, deployer and approver come with roles. */
  role: string;
  /** JSON array of environment names the role applies to; `["*"]` for every environment. */
  scopes: string;
  /** Hex sha256 of the whole secret; the secret itself is never stored. */
  secret_sha256: string;
  created_at: string;
  /** Who created it: a token id, `local` (tokenless on loopback) or `bootstrap`. */
  created_by: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** A service a person stopped in an environment; absent while it runs. */
export interface ServiceStopTable {
  service: string;
  environment: string;
  stopped_at: string;
  /** Who stopped it: `user:<name>`. */
  actor: string;
}

/** Which server advances a service/environment's rollout, until when. Times are epoch ms. */
export interface ScopeLeaseTable {
  /** `service/environment`. */
  key: string;
  /** The holding server's lease owner id. */
  owner: string;
  expires_at: number;
  /** When this owner took it (kept across renewals). */
  acquired_at: number;
  renewed_at: number;
}

/** Evidence CI attached to an artifact; rows are only inserted (a newer report supersedes). */
export interface GateResultTable {
  id: string;
  service: string;
  /** The artifact's version label when it was reported. */
  version: string;
  /** The artifact: `sha256:…`. */
  digest: string;
  /** The gate: `tests`, `scan`, `coverage`. */
  name: string;
  /** `passed` or `failed`. */
  status: string;
  /** JSON object of finite numbers: `{"coverage":83.2}`. */
  values: string;
  url: string | null;
  /** `token:<id>`, `local`, `cdevents:<source>`. */
  reporter: string;
  reported_at: string;
}

/** Append-only: triggers refuse UPDATE and DELETE (migration 015). JSON in text columns. */
export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor: string;
  actor_name: string | null;
  action: string;
  target: string;
  parameters: string;
  status: number;
  error_code: string | null;
  before: string | null;
  after: string | null;
}

/** A change waiting for people (migration 016); settled once. JSON in text columns. */
export interface ApprovalTable {
  id: string;
  service: string;
  environment: string;
  version: string;
  deployment_id: string;
  /** The canary step gate (`approval-3`) that waits on it; null for a pre-deploy approval. */
  gate: string | null;
  requested_by: string;
  requested_at: string;
  expires_at: string;
  /** JSON: the ApprovalRequirement. */
  requirement: string;
  /** JSON array of strings. */
  reasons: string;
  /** `pending`, `approved`, `rejected`, `expired`. */
  status: string;
  /** `proceed` or `reject`; null while pending. */
  outcome: string | null;
  settled_at: string | null;
}

/** One person's decision on an approval; primary key (approval_id, actor): once each. */
export interface ApprovalDecisionTable {
  approval_id: string;
  actor: string;
  role: string;
  decision: string;
  comment: string;
  at: string;
}
