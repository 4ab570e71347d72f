import type { FastifyRequest } from 'fastify';
import { principalOf } from './auth-hook.js';
import { scopeCovers } from './domain/permissions.js';
import { ForbiddenError } from './auth-errors.js';

/**
 * The environments a request names: `:environment` in its path, `environment` in its query, and
 * `environment` or `to` (a promotion's target) in its JSON body.
 */
export function environmentsOf(request: FastifyRequest): readonly string[] {
  const named = [
    field(request.params, 'environment'),
    field(request.query, 'environment'),
    field(request.body, 'environment'),
    field(request.body, 'to'),
  ];
  return [...new Set(named.filter((e): e is string => e !== undefined))];
}

function field(source: unknown, key: string): string | undefined {
  if (typeof source !== 'object' || source === null || Buffer.isBuffer(source)) return undefined;
  const value = (source as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The API's `preValidation` hook: a token scoped to some environments gets 403 `forbidden` for a
 * request naming any other, whatever its role. It runs once the body is parsed (a deploy names
 * its environment there) and before it is validated, so the refusal does not depend on the
 * rest of the body being right.
 */
export async function environmentScopeHook(request: FastifyRequest): Promise<void> {
  const principal = principalOf(request);
  const permission = request.routeOptions.config?.permission;
  if (principal.kind !== 'token' || permission === undefined || permission === 'public') return;
  const { scopes, role } = principal.token;
  const outside = environmentsOf(request).find((e) => !scopeCovers(scopes, e));
  if (outside !== undefined) throw new ForbiddenError(permission, outside, role);
}
