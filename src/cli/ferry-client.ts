import type { Readable } from 'node:stream';
import { request } from 'undici';
import type { ArtifactView } from '../features/artifacts/artifact-catalog.js';
import type { Collection } from '../features/artifacts/artifact-retention.js';
import type { ArtifactMetadata } from '../features/artifacts/domain/artifact-metadata.js';
import { metadataToHeaders } from '../features/artifacts/upload-headers.js';
import type { AnalysisRunView } from '../features/deployments/rollout-view.js';
import type {
  ApprovalView,
  DeployPlan,
  EnvironmentMatrix,
  PromotionResult,
  Artifact,
  Deployment,
  DeployResult,
  FerryEvent,
  Instance,
  InstanceLogs,
  RolloutAction,
  RolloutView,
  ServiceStatus,
  StopResult,
} from './api-types.js';
import type { AuditEntry } from '../features/audit/domain/audit-entry.js';
import type { TokenView } from '../features/auth/domain/api-token.js';
import type { ApplyResult } from '../features/config-apply/domain/apply-plan.js';
import type { GateResult } from '../features/gate-results/domain/gate-result.js';
import type { ListedGateResult } from '../features/gate-results/gate-result-service.js';
import type {
  ContractResultView,
  MigrationStatusView,
} from '../features/migrations/migration-schemas.js';
import { FerryError } from '../errors/ferry-error.js';
import { apiErrorFrom, connectionErrorFrom } from './api-error.js';
import type { ApiCredentials } from './credentials.js';
import { readServerSentEvents } from './server-sent-events.js';

type Query = Readonly<Record<string, string | number | undefined>>;

export type EventFilter = {
  readonly subject?: string;
  readonly kind?: string;
  readonly after?: number;
};

/**
 * Typed calls to a Ferry server's HTTP API, with the bearer token on every one (uploads and the
 * event stream too) when there is one. Every failure is a FerryError: the server's own error body
 * re-raised, `unauthorized` saying where the token came from, or `server_unreachable` when
 * nothing answers.
 *
 * @example await new FerryClient('http://127.0.0.1:7700', { token, from: 'FERRY_TOKEN' }).services()
 */
export class FerryClient {
  readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly credentials?: ApiCredentials,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /**
   * Uploads a `.tar.gz`; the same bytes under the same version again are a no-op. With the
   * environment it is for, the server refuses an unknown one before the bytes are sent on.
   */
  putArtifact(
    service: string,
    version: string,
    bytes: Buffer,
    sourceCommit: string | null,
    environment?: string,
  ) {
    const query = environment ? `?environment=${encodeURIComponent(environment)}` : '';
    const path = `/api/v1/artifacts/${encodeURIComponent(service)}/${encodeURIComponent(version)}${query}`;
    return this.call<Artifact>('PUT', path, {
      body: bytes,
      headers: {
        'content-type': 'application/gzip',
        ...(sourceCommit ? { 'x-ferry-source-commit': sourceCommit } : {}),
      },
    });
  }

  /**
   * Pushes a `.tar.gz` (bytes, or a stream of `sizeBytes` bytes, sent as it is read) with its
   * build metadata. `created` is false when the same bytes were there under this version already.
   */
  async pushArtifact(
    service: string,
    version: string,
    body: Buffer | { readonly stream: Readable; readonly sizeBytes: number },
    build: { readonly sourceCommit: string | null } & Partial<ArtifactMetadata>,
  ): Promise<{ artifact: Artifact; created: boolean }> {
    const path = `/api/v1/artifacts/${encodeURIComponent(service)}/${encodeURIComponent(version)}`;
    const length = Buffer.isBuffer(body) ? body.length : body.sizeBytes;
    const response = await this.send('PUT', path, {
      body: Buffer.isBuffer(body) ? body : body.stream,
      headers: {
        accept: 'application/json',
        'content-type': 'application/gzip',
        'content-length': String(length),
        ...(build.sourceCommit ? { 'x-ferry-source-commit': build.sourceCommit } : {}),
        ...metadataToHeaders(build),
      },
    });
    const text = await response.body.text();
    if (response.statusCode >= 400) throw this.errorFrom(response.statusCode, text);
    return { artifact: JSON.parse(text) as Artifact, created: response.statusCode === 201 };
  }

  /** A service's artifacts, newest first, each with where it ran and its gates. */
  async artifacts(service: string) {
    const path = `/api/v1/artifacts/${encodeURIComponent(service)}`;
    return (await this.call<{ artifacts: ArtifactView[] }>('GET', path)).artifacts;
  }

  /** One artifact with where it ran, its deployments and its gates. */
  artifact(service: string, version: string) {
    const path = `/api/v1/artifacts/${encodeURIComponent(service)}/${encodeURIComponent(version)}`;
    return this.call<ArtifactView>('GET', path);
  }

  /** Retention: deletes what `artifacts.retention` does not keep, or (dry run) says what would go. */
  collectArtifacts(body: { service?: string; dryRun: boolean }) {
    return this.call<Collection>('POST', '/api/v1/artifacts/gc', { json: body });
  }

  deploy(body: {
    service: string;
    environment: string;
    version: string;
    force?: boolean;
    emergency?: { readonly reason: string };
  }) {
    return this.call<DeployResult>('POST', '/api/v1/deployments', { json: body });
  }

  /** Promotes (or with `dryRun` plans) a service into an environment from its `from`. */
  promote(body: {
    service: string;
    to: string;
    dryRun: boolean;
    emergency?: { readonly reason: string };
  }) {
    return this.call<PromotionResult>('POST', '/api/v1/promotions', { json: body });
  }

  /** What `ferry deploy --dry-run` shows; changes nothing. */
  deployPlan(query: {
    service: string;
    environment: string;
    version: string;
    force: boolean;
    emergency?: string;
  }) {
    return this.call<DeployPlan>(
      'GET',
      `/api/v1/deployments/plan${queryString({ ...query, force: String(query.force) })}`,
    );
  }

  /** Groups of services promoted together, each in its declared order. */
  async groups() {
    return (await this.call<{ groups: Record<string, string[]> }>('GET', '/api/v1/groups')).groups;
  }

  /** Services × environments, as `ferry env` shows them. */
  environmentMatrix() {
    return this.call<EnvironmentMatrix>('GET', '/api/v1/environments/matrix');
  }

  rollback(body: { service: string; environment: string; toVersion?: string; force?: boolean }) {
    return this.call<DeployResult>('POST', '/api/v1/rollbacks', { json: body });
  }

  /** Stops a service in an environment; answers once its instances have stopped. */
  stop(service: string, environment: string) {
    return this.call<StopResult>('POST', `${servicePath(service)}/stop`, { json: { environment } });
  }

  /** Starts a stopped service again with the version it ran last. */
  start(service: string, environment: string) {
    return this.call<DeployResult>('POST', `${servicePath(service)}/start`, {
      json: { environment },
    });
  }

  /** History of a service in an environment, newest first. */
  async deployments(query: { service: string; environment: string; limit?: number }) {
    const path = `/api/v1/deployments${queryString(query)}`;
    return (await this.call<{ deployments: Deployment[] }>('GET', path)).deployments;
  }

  deployment(id: string) {
    return this.call<Deployment>('GET', `/api/v1/deployments/${encodeURIComponent(id)}`);
  }

  /** Analysis runs of a deployment, oldest first, with every measurement. */
  async analysis(deploymentId: string) {
    const path = `/api/v1/deployments/${encodeURIComponent(deploymentId)}/analysis`;
    return (await this.call<{ runs: AnalysisRunView[] }>('GET', path)).runs;
  }

  /** Steps, current step, traffic split and per-track numbers of the newest rollout. */
  rollout(service: string, environment: string) {
    return this.call<RolloutView>('GET', rolloutPath(service, environment));
  }

  /** A person's hand on the newest rollout; `full` (promote only) skips every remaining step. */
  rolloutAction(service: string, environment: string, action: RolloutAction, full?: boolean) {
    const path = `${rolloutPath(service, environment)}/${action}`;
    return this.call<RolloutView>('POST', path, { json: full === undefined ? {} : { full } });
  }

  async services() {
    return (await this.call<{ services: ServiceStatus[] }>('GET', '/api/v1/services')).services;
  }

  service(name: string) {
    return this.call<ServiceStatus>('GET', servicePath(name));
  }

  async instances(query: { service?: string; environment?: string; deployment?: string } = {}) {
    const path = `/api/v1/instances${queryString(query)}`;
    return (await this.call<{ instances: Instance[] }>('GET', path)).instances;
  }

  instanceLogs(id: string, lines?: number) {
    const path = `/api/v1/instances/${encodeURIComponent(id)}/logs${queryString({ lines })}`;
    return this.call<InstanceLogs>('GET', path);
  }

  /** A page of the event log, oldest first: the first after `after`, or the latest ones. */
  async events(
    query: EventFilter & { limit?: number; since?: string; order?: 'first' | 'latest' } = {},
  ) {
    const path = `/api/v1/events${queryString(query)}`;
    return (await this.call<{ events: FerryEvent[] }>('GET', path)).events;
  }

  /**
   * The live event stream; resumes after `filter.after`. Ends when the server closes the stream
   * or `signal` fires.
   */
  async *streamEvents(filter: EventFilter, signal: AbortSignal): AsyncGenerator<FerryEvent> {
    const { subject, kind, after } = filter;
    const path = `/api/v1/events/stream${queryString({ subject, kind })}`;
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (after !== undefined) headers['last-event-id'] = String(after);
    let response;
    try {
      response = await this.send('GET', path, { headers, signal });
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    }
    if (response.statusCode >= 400) {
      throw this.errorFrom(response.statusCode, await response.body.text());
    }
    try {
      for await (const message of readServerSentEvents(response.body, signal)) {
        yield JSON.parse(message.data) as FerryEvent;
      }
    } finally {
      response.body.destroy();
    }
  }

  /** Sends a ferry.yaml to validate, diff and (unless `dryRun`) apply; see `ferry apply`. */
  applyConfig(body: { text: string; file: string; prune: boolean; dryRun: boolean }) {
    return this.call<ApplyResult>('POST', '/api/v1/config', { json: body });
  }

  /** Creates a token; the answer is the only time its secret is shown. */
  createToken(body: {
    name: string;
    expiresIn?: string;
    role?: string;
    environments?: readonly string[];
  }) {
    return this.call<{ token: TokenView; secret: string }>('POST', '/api/v1/tokens', {
      json: body,
    });
  }

  async tokens() {
    return (await this.call<{ tokens: TokenView[] }>('GET', '/api/v1/tokens')).tokens;
  }

  async revokeToken(id: string) {
    const path = `/api/v1/tokens/${encodeURIComponent(id)}/revoke`;
    return (await this.call<{ token: TokenView }>('POST', path, { json: {} })).token;
  }

  /** Audit entries, newest first; `since` is a duration back (1h) or an ISO-8601 time. */
  async audit(query: { actor?: string; since?: string; limit?: number }) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) params.set(key, String(value));
    }
    const search = params.size > 0 ? `?${params}` : '';
    return (await this.call<{ entries: AuditEntry[] }>('GET', `/api/v1/audit${search}`)).entries;
  }

  /** Approvals, newest first; only `status` ones when given. */
  async approvals(status?: string) {
    const search = status ? `?status=${encodeURIComponent(status)}` : '';
    return (await this.call<{ approvals: ApprovalView[] }>('GET', `/api/v1/approvals${search}`))
      .approvals;
  }

  /** Approves or rejects an approval with a comment; the server records who and when. */
  async decideApproval(id: string, decision: 'approve' | 'reject', comment: string) {
    const path = `/api/v1/approvals/${encodeURIComponent(id)}/${decision}`;
    return (await this.call<{ approval: ApprovalView }>('POST', path, { json: { comment } }))
      .approval;
  }

  /** The token the server sees on this client's calls; null when it sent none (loopback). */
  async whoami() {
    return (await this.call<{ token: TokenView | null }>('GET', '/api/v1/whoami')).token;
  }

  /** Attaches gate evidence to an artifact; the server records who and when. */
  reportGate(
    service: string,
    version: string,
    body: { name: string; status: string; values?: Record<string, number>; url?: string },
  ) {
    return this.call<GateResult>('POST', gatesPath(service, version), { json: body });
  }

  /** Migration status per service and environment (every environment the token covers without one). */
  async migrations(query: { environment?: string; service?: string } = {}) {
    const path = `/api/v1/migrations${queryString(query)}`;
    return (await this.call<{ migrations: MigrationStatusView[] }>('GET', path)).migrations;
  }

  /** Runs the ready contract migrations of a service in an environment (409 while they wait). */
  contractMigrations(body: { service: string; environment: string }) {
    return this.call<ContractResultView>('POST', '/api/v1/migrations/contract', { json: body });
  }

  /** Every gate report about an artifact, newest first, superseded ones marked. */
  async gates(service: string, version: string) {
    const path = gatesPath(service, version);
    return (await this.call<{ gates: ListedGateResult[] }>('GET', path)).gates;
  }

  async health(): Promise<boolean> {
    const response = await this.send('GET', '/healthz', {});
    await response.body.dump();
    return response.statusCode < 400;
  }

  private async call<T>(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    options: { json?: unknown; body?: Buffer; headers?: Record<string, string> } = {},
  ): Promise<T> {
    const response = await this.send(method, path, {
      headers: {
        accept: 'application/json',
        ...(options.json !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      body: options.json !== undefined ? JSON.stringify(options.json) : options.body,
    });
    const text = await response.body.text();
    if (response.statusCode >= 400) throw this.errorFrom(response.statusCode, text);
    return JSON.parse(text) as T;
  }

  private async send(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    options: {
      headers?: Record<string, string>;
      body?: string | Buffer | Readable;
      signal?: AbortSignal;
    },
  ) {
    const headers = this.credentials
      ? { ...options.headers, authorization: `Bearer ${this.credentials.token}` }
      : options.headers;
    try {
      return await request(`${this.baseUrl}${path}`, { method, ...options, headers });
    } catch (error) {
      throw connectionErrorFrom(error, this.baseUrl);
    }
  }

  /** A 401 says what to do about it; the server's own body says nothing on purpose. */
  private errorFrom(status: number, text: string): FerryError {
    if (status !== 401) return apiErrorFrom(status, text);
    const message = this.credentials
      ? `the server at ${this.baseUrl} refused the token from ${this.credentials.from} (unknown, expired or revoked); run "ferry login" or set FERRY_TOKEN`
      : `the server at ${this.baseUrl} requires an API token; run "ferry login" or set FERRY_TOKEN`;
    return new FerryError('unauthorized', message);
  }
}

function servicePath(service: string): string {
  return `/api/v1/services/${encodeURIComponent(service)}`;
}

function gatesPath(service: string, version: string): string {
  return `/api/v1/artifacts/${encodeURIComponent(service)}/${encodeURIComponent(version)}/gates`;
}

function rolloutPath(service: string, environment: string): string {
  return `/api/v1/rollouts/${encodeURIComponent(service)}/${encodeURIComponent(environment)}`;
}

function queryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
