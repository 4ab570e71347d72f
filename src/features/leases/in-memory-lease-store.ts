import { copyRow } from '../../store/in-memory-rows.js';
import type { Lease, LeaseStore } from './lease-store.js';

/**
 * LeaseStore in memory, for tests. JavaScript runs each method's check and write without a
 * pause between them, which is the atomicity the SQL adapter gets from one conditional statement.
 */
export class InMemoryLeaseStore implements LeaseStore {
  private readonly leases = new Map<string, Lease>();

  async tryAcquire(key: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    const current = this.leases.get(key);
    if (current && current.owner !== owner && current.expiresAt > now) return false;
    const acquiredAt = current?.owner === owner ? current.acquiredAt : now;
    this.leases.set(key, { key, owner, expiresAt: now + ttlMs, acquiredAt, renewedAt: now });
    return true;
  }

  async renew(key: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    const current = this.leases.get(key);
    if (current?.owner !== owner) return false;
    this.leases.set(key, { ...current, expiresAt: now + ttlMs, renewedAt: now });
    return true;
  }

  async release(key: string, owner: string): Promise<void> {
    if (this.leases.get(key)?.owner === owner) this.leases.delete(key);
  }

  async get(key: string): Promise<Lease | undefined> {
    const lease = this.leases.get(key);
    return lease && copyRow(lease);
  }
}
