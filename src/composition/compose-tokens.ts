import type { FastifyReply, FastifyRequest } from 'fastify';
import { authHook } from '../features/auth/auth-hook.js';
import { FailureLimiter } from '../features/auth/domain/failure-limiter.js';
import type { TokenStore } from '../features/auth/token-store.js';
import { TokenService } from '../features/auth/token-service.js';
import type { EventLog } from '../features/events/event-log.js';
import type { Clock } from '../shared/clock.js';

export interface ComposedTokens {
  readonly tokens: TokenService;
  /** The API's first hook: checks bearer tokens and limits failed ones per address. */
  readonly authenticate: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
}

/** API tokens and the authentication that checks them. */
export function composeTokens(parts: {
  readonly store: TokenStore;
  readonly events: EventLog;
  readonly clock: Clock;
  /** Whether every API call needs a bearer token; see `tokenRequired`. */
  readonly required: boolean;
}): ComposedTokens {
  const tokens = new TokenService(parts.store, parts.events, parts.clock);
  // Ten failed tokens a minute per address; enough for typos, far too few for guessing.
  const limiter = new FailureLimiter(parts.clock, { maxFailures: 10, windowMs: 60_000 });
  return { tokens, authenticate: authHook({ tokens, limiter, required: parts.required }) };
}
