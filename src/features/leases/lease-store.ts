/** A server's claim to advance one service/environment until `expiresAt` (epoch ms). */
export interface Lease {
  /** `service/environment`. */
  readonly key: string;
  /** The holding server's owner id. */
  readonly owner: string;
  readonly expiresAt: number;
  /** When `owner` took it; kept while the same owner renews or re-acquires it. */
  readonly acquiredAt: number;
  readonly renewedAt: number;
}

/**
 * Persistence port for scope leases. Every write is one atomic, conditional statement, so two
 * servers racing for a key never both win: the database decides, not a read before the write.
 * Times are passed in (epoch ms), so servers compare against their own clocks' `now`.
 */
export interface LeaseStore {
  /**
   * Takes the lease of `key` for `owner` until `now + ttlMs` when it is free, expired, or already
   * `owner`'s (then it is extended); resolves whether `owner` holds it now.
   */
  tryAcquire(key: string, owner: string, now: number, ttlMs: number): Promise<boolean>;
  /**
   * Extends `owner`'s lease of `key` to `now + ttlMs`; false when the row is no longer
   * `owner`'s (released, or taken by another server after it expired). A lease past its expiry
   * that nobody took is still `owner`'s, so renewing it is safe.
   */
  renew(key: string, owner: string, now: number, ttlMs: number): Promise<boolean>;
  /** Gives up `owner`'s lease of `key`; a no-op when another owner holds it or nobody does. */
  release(key: string, owner: string): Promise<void>;
  /** The lease row of `key`, live or expired; undefined when nobody holds or held it since. */
  get(key: string): Promise<Lease | undefined>;
}
