import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from './domain/api-token.js';
import type { FailureLimiter } from './domain/failure-limiter.js';
import { roleAllows } from './domain/permissions.js';
import { ForbiddenError, TooManyFailuresError, UnauthorizedError } from './auth-errors.js';
import type { TokenService } from './token-service.js';

const principals = new WeakMap<FastifyRequest, Principal>();
const local: Principal = { kind: 'local' };

/** Who a request authenticated as; undefined when it was refused (401, 429) or no hook ran. */
export function authenticatedAs(request: FastifyRequest): Principal | undefined {
  return principals.get(request);
}

/** Who made a request that passed the hook; `local` where no hook ran. */
export function principalOf(request: FastifyRequest): Principal {
  return principals.get(request) ?? local;
}

/**
 * The API's `onRequest` hook: every route but the `public` ones (probes, scrapes) needs a valid
 * `Authorization: Bearer` token when `required`; otherwise a request without one passes as
 * `local`, but a token that is sent must be valid. It runs before bodies are read, so an
 * unauthenticated upload stores nothing. A presented token that fails counts against the
 * caller's address; an address over the limit gets 429 before its token is even looked at.
 * Then the token's role must hold the permission the route declares (403 `forbidden`), still
 * before the body is read; a tokenless call on loopback may do everything.
 */
export function authHook(options: {
  readonly tokens: TokenService;
  readonly limiter: FailureLimiter;
  readonly required: boolean;
}) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const permission = request.routeOptions.config?.permission;
    if (permission === 'public') return;
    const header = request.headers.authorization;
    if (header === undefined) {
      if (options.required) throw unauthorized(reply);
      principals.set(request, local);
      return;
    }
    const wait = options.limiter.blockedFor(request.ip);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      reply.header('retry-after', String(seconds));
      throw new TooManyFailuresError(seconds);
    }
    const secret = bearerSecret(header);
    const token = secret === undefined ? undefined : await options.tokens.authenticate(secret);
    if (!token) {
      options.limiter.recordFailure(request.ip);
      throw unauthorized(reply);
    }
    principals.set(request, { kind: 'token', token });
    // Unmatched URLs declare nothing: they answer 404 to whoever holds a valid token.
    if (permission !== undefined && !roleAllows(token.role, permission)) {
      throw new ForbiddenError(permission, null, token.role);
    }
  };
}

function unauthorized(reply: FastifyReply): UnauthorizedError {
  reply.header('www-authenticate', 'Bearer realm="ferry"');
  return new UnauthorizedError();
}

/** The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1). */
function bearerSecret(header: string): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(header);
  return match?.[1];
}
