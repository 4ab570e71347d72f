import { KeyedQueue } from '../../shared/keyed-queue.js';
import type { ScopeLock } from '../../shared/scope-lock.js';
import type { Scheduler } from '../analysis/scheduler.js';
import type { LeaseStore } from './lease-store.js';
import { ScopeLeasedError } from './scope-leased-error.js';

export interface LeaseLockOptions {
  readonly store: LeaseStore;
  /** This server's id in the leases it writes (see `lease-owner.ts`). */
  readonly owner: string;
  /** Time and timers: when leases expire, how long to wait between attempts. */
  readonly scheduler: Scheduler;
  /** How long a lease lasts unless renewed. Default 15s. */
  readonly ttlMs?: number;
  /** How long `run` waits for another server's lease before it gives up. Default 5s. */
  readonly waitMs?: number;
}

/** The first pause between attempts on a lease another server holds; it doubles up to the cap. */
const firstRetryMs = 50;
const maxRetryMs = 1_000;

/**
 * The scope lock across servers. In this process, work on one key runs in call order (a
 * `KeyedQueue`); before it runs, this server makes sure it holds the key's lease in the store, so
 * no other server advances the same rollout meanwhile. Like Kubernetes leader election it holds a
 * lease and renews it when less than half of it is left, rather than writing on every run (the
 * controller runs every key four times a second). A server that dies leaves leases that expire
 * after `ttlMs`; then another server takes them over. `close` releases them at once.
 *
 * @example
 * const locks = new LeaseLock({ store, owner: randomLeaseOwner(), scheduler: systemScheduler });
 * await locks.run('web/prod', () => advance(rollout));
 */
export class LeaseLock implements ScopeLock {
  private readonly queue = new KeyedQueue();
  /** Keys this server holds, with when their leases expire as it last wrote them. */
  private readonly held = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly waitMs: number;
  private closed = false;

  constructor(private readonly options: LeaseLockOptions) {
    this.ttlMs = options.ttlMs ?? 15_000;
    this.waitMs = options.waitMs ?? 5_000;
  }

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.queue.run(key, async () => {
      await this.hold(key);
      const stopRenewing = this.renewWhile(key);
      try {
        return await work();
      } finally {
        stopRenewing();
      }
    });
  }

  /** Releases every lease this server holds, each once the work queued on it is done. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      [...this.held.keys()].map((key) =>
        this.queue.run(key, async () => {
          this.held.delete(key);
          await this.options.store.release(key, this.options.owner);
        }),
      ),
    );
  }

  /** Makes sure this server holds `key`'s lease with at least half of it left. */
  private async hold(key: string): Promise<void> {
    if (this.closed) throw closedError(key);
    const { store, owner } = this.options;
    const now = this.now();
    const expiresAt = this.held.get(key);
    if (expiresAt !== undefined && expiresAt - now > this.ttlMs / 2) return;
    if (expiresAt !== undefined && (await store.renew(key, owner, now, this.ttlMs))) {
      this.held.set(key, now + this.ttlMs);
      return;
    }
    this.held.delete(key);
    await this.acquire(key);
  }

  /** Takes the lease, polling with growing pauses while another live owner has it. */
  private async acquire(key: string): Promise<void> {
    const { store, owner } = this.options;
    const started = this.now();
    for (let pause = firstRetryMs; ; pause = Math.min(pause * 2, maxRetryMs)) {
      const now = this.now();
      if (await store.tryAcquire(key, owner, now, this.ttlMs)) {
        // A close that came meanwhile did not see this lease: give it back rather than keep it.
        if (this.closed) {
          await store.release(key, owner);
          throw closedError(key);
        }
        this.held.set(key, now + this.ttlMs);
        return;
      }
      if (this.closed) throw closedError(key);
      const left = started + this.waitMs - this.now();
      if (left <= 0) throw new ScopeLeasedError(key, await store.get(key), this.waitMs);
      await this.sleep(Math.min(pause, left));
    }
  }

  /**
   * Renews `key`'s lease at its half-life for as long as the work holding it runs, so long work
   * does not outlive it. The returned function stops that. A lost lease is forgotten: the next
   * run acquires it again or waits for its new holder.
   */
  private renewWhile(key: string): () => void {
    let cancel = () => {};
    const schedule = () => {
      const expiresAt = this.held.get(key);
      if (expiresAt === undefined) return;
      const due = Math.max(0, expiresAt - this.ttlMs / 2 - this.now());
      cancel = this.options.scheduler.setTimer(() => void renew(), due);
    };
    const renew = async () => {
      const now = this.now();
      const { store, owner } = this.options;
      const renewed = await store.renew(key, owner, now, this.ttlMs).catch(() => false);
      if (!this.held.has(key) || cancelled) return;
      if (renewed) this.held.set(key, now + this.ttlMs);
      else this.held.delete(key);
      schedule();
    };
    let cancelled = false;
    schedule();
    return () => {
      cancelled = true;
      cancel();
    };
  }

  private now(): number {
    return this.options.scheduler.clock.now();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.options.scheduler.setTimer(resolve, ms));
  }
}

function closedError(key: string): Error {
  return new Error(`scope lock closed: ${key} is no longer taken`);
}
