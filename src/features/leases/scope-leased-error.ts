import { FerryError } from '../../errors/ferry-error.js';
import type { Lease } from './lease-store.js';

/**
 * Another server holds the lease of a service/environment and did not let go in time: an API
 * command answers 409, the controller's loop retries at its next tick.
 */
export class ScopeLeasedError extends FerryError {
  constructor(key: string, holder: Lease | undefined, waitedMs: number) {
    const by = holder
      ? `another ferry server (${holder.owner}) until ${new Date(holder.expiresAt).toISOString()}`
      : 'another ferry server';
    super(
      'conflict',
      `${key} is being changed by ${by}; waited ${waitedMs / 1000}s for it, try again later`,
      {
        extra: {
          scope: key,
          ...(holder
            ? { holder: holder.owner, expiresAt: new Date(holder.expiresAt).toISOString() }
            : {}),
        },
      },
    );
  }
}
