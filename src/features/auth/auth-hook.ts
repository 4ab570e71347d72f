import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from './domain/api-token.js';
import type { FailureLimiter } from './domain/failure-limiter.js';
import { TooManyFailuresError, UnauthorizedError } from './auth-errors.js';
import type { TokenService } from './token-service.js';

/** Routes anyone may call: probes and Prometheus scrapes. */
export const publicRoutes: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

const principals = new WeakMap<FastifyRequest, Principal>();
const local: Principal = { kind: 'local' };

/** Who made a request that passed the hook; `local` where no hook ran. */
export function principalOf(request: FastifyRequest): Principal {
  return principals.get(request) ?? local;
}

/**
 * The API's `onRequest` hook: every route but {@link publicRoutes} needs a valid
 * `Authorization: Bearer` token when `required`; otherwise a request without one passes as
 * `local`, but a token that is sent must be valid. It runs before bodies are read, so an
 * unauthenticated upload stores nothing. A presented token that fails counts against the
 * caller's address; an address over the limit gets 429 before its token is even looked at.
 */
export function authHook(options: {
  readonly tokens: TokenService;
  readonly limiter: FailureLimiter;
  readonly required: boolean;
}) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (publicRoutes.has(request.routeOptions.url ?? '')) return;
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
