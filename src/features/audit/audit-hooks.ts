import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { mutatingMethods } from '../../server/route-table.js';
import type { Clock } from '../../shared/clock.js';
import { authenticatedAs } from '../auth/auth-hook.js';
import { actorOf } from '../auth/domain/api-token.js';
import { environmentsOf } from '../auth/environment-scope-hook.js';
import type { AuditStore } from './audit-store.js';
import { redact } from './domain/audit-entry.js';

/** The state an audit entry keeps before and after a call on a service in an environment. */
export type TargetState = (target: {
  readonly service: string;
  readonly environment: string;
}) => Promise<Record<string, unknown> | null>;

const snapshots = new WeakMap<FastifyRequest, Record<string, unknown> | null>();

/**
 * The audit log's two hooks. `before` (preHandler) keeps the target's state before the handler
 * runs; `record` (onSend) appends one entry per answered mutating call, refusals included,
 * before the answer leaves, so a client that got its answer finds the entry. An entry that
 * cannot be written is logged, and the answer still goes out: the change it records is done.
 */
export function auditHooks(deps: {
  readonly store: AuditStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly stateOf: TargetState;
}) {
  const state = async (request: FastifyRequest) => {
    const target = targetOf(request);
    const { service, environment } = target;
    if (service === undefined || environment === undefined) return null;
    return deps.stateOf({ service, environment }).catch(() => null);
  };
  return {
    async before(request: FastifyRequest): Promise<void> {
      if (!audited(request)) return;
      snapshots.set(request, await state(request));
    },
    async record(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<void> {
      if (!audited(request)) return;
      try {
        const principal = authenticatedAs(request);
        const ran = snapshots.has(request);
        await deps.store.append({
          at: new Date(deps.clock.now()).toISOString(),
          actor: principal === undefined ? 'anonymous' : actorOf(principal),
          actorName: principal?.kind === 'token' ? principal.token.name : null,
          action: `${request.method} ${request.routeOptions.url}`,
          target: targetOf(request),
          parameters: parametersOf(request),
          status: reply.statusCode,
          errorCode: reply.statusCode >= 400 ? errorCodeOf(payload) : null,
          before: ran ? (snapshots.get(request) ?? null) : null,
          after: ran ? await state(request) : null,
        });
      } catch (error) {
        deps.logger.error({ err: error, url: request.url }, 'audit entry not written');
      }
    },
  };
}

/** Mutating calls to a declared route; unmatched URLs (404 with no route) are not actions. */
function audited(request: FastifyRequest): boolean {
  return mutatingMethods.has(request.method) && request.routeOptions.url !== undefined;
}

function targetOf(request: FastifyRequest): Record<string, string> {
  const params = objectOf(request.params);
  const body = objectOf(request.body);
  const service = text(params.service) ?? text(params.name) ?? text(body.service);
  const [environment] = environmentsOf(request);
  const version = text(params.version) ?? text(body.version);
  const id = text(params.id);
  return {
    ...(service === undefined ? {} : { service }),
    ...(environment === undefined ? {} : { environment }),
    ...(version === undefined ? {} : { version }),
    ...(id === undefined ? {} : { id }),
  };
}

/** Path, query and a JSON body, redacted; an upload's bytes are not kept. */
function parametersOf(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  // Only what JSON parsing makes: an upload (a Buffer, a stream, an UploadBody) is not kept.
  const json = Array.isArray(body) || isPlainObject(body);
  return redact({
    params: objectOf(request.params),
    query: objectOf(request.query),
    ...(json ? { body } : {}),
  }) as Record<string, unknown>;
}

function isPlainObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function errorCodeOf(payload: unknown): string | null {
  if (typeof payload !== 'string') return null;
  try {
    const code = (JSON.parse(payload) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' ? code : null;
  } catch {
    return null;
  }
}

function objectOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Buffer.isBuffer(value)
    ? (value as Record<string, unknown>)
    : {};
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
