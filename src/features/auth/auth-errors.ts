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
