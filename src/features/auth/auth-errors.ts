import { FerryError } from '../../errors/ferry-error.js';

/**
 * A missing, unknown, expired or revoked token. The same words for every case: the caller learns
 * nothing about which tokens exist.
 */
export class UnauthorizedError extends FerryError {
  constructor() {
    super('unauthorized', 'a valid bearer token is required');
  }
}

/** Too many failed authentications from one address; `retryAfterSeconds` says when to retry. */
export class TooManyFailuresError extends FerryError {
  constructor(readonly retryAfterSeconds: number) {
    super(
      'too_many_requests',
      `too many failed authentications from this address; retry in ${retryAfterSeconds}s`,
      { extra: { retryAfterSeconds } },
    );
  }
}

/**
 * A valid token that may not do this: its role lacks `permission`, or `environment` is outside its
 * scopes. The body names both, so a client can say which token to use instead.
 */
export class ForbiddenError extends FerryError {
  constructor(
    readonly permission: string,
    readonly environment: string | null,
    role: string,
  ) {
    super(
      'forbidden',
      environment === null
        ? `a ${role} token lacks the "${permission}" permission`
        : `this token is not scoped to environment "${environment}" (needs "${permission}" there)`,
      { extra: { permission, environment } },
    );
  }
}
