import type { Clock } from '../../../shared/clock.js';

export interface FailureLimiterOptions {
  /** Failures allowed from one address within the window; the next request gets 429. */
  readonly maxFailures: number;
  readonly windowMs: number;
  /** Addresses remembered at most; the least recently failing are forgotten first. */
  readonly maxAddresses?: number;
}

/**
 * Counts failed authentications per address in a sliding window. An address with `maxFailures`
 * failures in the last `windowMs` is blocked until the oldest of them leaves the window. Only
 * failures count, so a blocked caller who keeps trying stays blocked no longer than the window.
 */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly options: FailureLimiterOptions,
  ) {}

  /** Milliseconds until `address` may try again; 0 when it may now. */
  blockedFor(address: string): number {
    const recent = this.recent(address);
    if (recent.length < this.options.maxFailures) return 0;
    const oldest = recent[recent.length - this.options.maxFailures] ?? 0;
    return Math.max(1, oldest + this.options.windowMs - this.clock.now());
  }

  recordFailure(address: string): void {
    const recent = [...this.recent(address), this.clock.now()].slice(-this.options.maxFailures);
    this.failures.delete(address);
    this.failures.set(address, recent);
    const max = this.options.maxAddresses ?? 10_000;
    for (const key of this.failures.keys()) {
      if (this.failures.size <= max) break;
      this.failures.delete(key);
    }
  }

  private recent(address: string): number[] {
    const since = this.clock.now() - this.options.windowMs;
    const kept = (this.failures.get(address) ?? []).filter((at) => at > since);
    if (kept.length === 0) this.failures.delete(address);
    else this.failures.set(address, kept);
    return kept;
  }
}
