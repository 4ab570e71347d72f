import { describe, expect, it } from 'vitest';
import { FerryError } from '../../errors/ferry-error.js';
import { ManualScheduler } from '../analysis/manual-scheduler.js';
import { InMemoryLeaseStore } from './in-memory-lease-store.js';
import { LeaseLock } from './lease-lock.js';
import type { LeaseStore } from './lease-store.js';

const key = 'web/prod';
const ttlMs = 15_000;

/** The in-memory store, counting the writes a lock makes through it. */
class CountingStore extends InMemoryLeaseStore {
  writes = 0;
  override tryAcquire(...args: Parameters<LeaseStore['tryAcquire']>): Promise<boolean> {
    this.writes += 1;
    return super.tryAcquire(...args);
  }
  override renew(...args: Parameters<LeaseStore['renew']>): Promise<boolean> {
    this.writes += 1;
    return super.renew(...args);
  }
}

function setup(waitMs = 5_000) {
  const scheduler = new ManualScheduler(1_000_000);
  const store = new CountingStore();
  const lock = new LeaseLock({ store, owner: 'me', scheduler, ttlMs, waitMs });
  return { scheduler, store, lock };
}

/** Lets pending promise callbacks and the lock's store calls run. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Tracks whether a promise settled yet. */
function watch<T>(promise: Promise<T>) {
  const state = { settled: false };
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}

describe('LeaseLock', () => {
  it('runs work on one key in call order, one at a time, while holding its lease', async () => {
    const { lock, store } = setup();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`${name} start`);
      expect((await store.get(key))?.owner).toBe('me');
      await flush();
      log.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([
      lock.run(key, task('a')),
      lock.run(key, task('b')),
      lock.run(key, task('c')),
    ]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
  });

  it('writes the lease once, not on every run, and renews it when half of it is left', async () => {
    const { lock, store, scheduler } = setup();
    for (let i = 0; i < 20; i++) {
      await lock.run(key, async () => {});
      await scheduler.advance(250);
    }
    expect(store.writes).toBe(1);
    await scheduler.advance(ttlMs / 2);
    await lock.run(key, async () => {});
    expect(store.writes).toBe(2);
    expect(await store.get(key)).toMatchObject({
      owner: 'me',
      expiresAt: scheduler.clock.now() + ttlMs,
    });
  });

  it('waits while another server holds the lease and runs once it is released', async () => {
    const { lock, store, scheduler } = setup();
    await store.tryAcquire(key, 'other', scheduler.clock.now(), ttlMs);
    let ran = false;
    const running = lock.run(key, async () => {
      ran = true;
    });
    await flush();
    await scheduler.advance(4_000);
    expect(ran).toBe(false);
    await store.release(key, 'other');
    await scheduler.advance(900);
    await running;
    expect(ran).toBe(true);
    expect((await store.get(key))?.owner).toBe('me');
  });

  it('gives up with a conflict naming the holder when the lease stays taken', async () => {
    const { lock, store, scheduler } = setup();
    await store.tryAcquire(key, 'other', scheduler.clock.now(), ttlMs);
    let ran = false;
    const running = lock.run(key, async () => {
      ran = true;
    });
    const state = watch(running);
    await flush();
    await scheduler.advance(4_999);
    expect(state.settled).toBe(false);
    await scheduler.advance(1);
    const error = await running.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FerryError);
    expect((error as FerryError).code).toBe('conflict');
    expect((error as FerryError).status).toBe(409);
    expect((error as FerryError).message).toContain('other');
    expect(ran).toBe(false);
    expect((await store.get(key))?.owner).toBe('other');
  });

  it('takes over the lease of a server that died, once it expires', async () => {
    const { lock, store, scheduler } = setup(30_000);
    await store.tryAcquire(key, 'dead', scheduler.clock.now(), ttlMs);
    let ranAt: number | undefined;
    const running = lock.run(key, async () => {
      ranAt = scheduler.clock.now();
    });
    await flush();
    await scheduler.advance(ttlMs - 1);
    expect(ranAt).toBeUndefined();
    await scheduler.advance(1_000);
    await running;
    expect(ranAt).toBeGreaterThanOrEqual(1_000_000 + ttlMs);
    expect(await store.get(key)).toMatchObject({ owner: 'me', acquiredAt: ranAt });
  });

  it('does not trust a lease it let expire once another server took it', async () => {
    const { lock, store, scheduler } = setup(0);
    await lock.run(key, async () => {});
    await scheduler.advance(ttlMs);
    await store.tryAcquire(key, 'other', scheduler.clock.now(), ttlMs);
    let ran = false;
    const error = await lock
      .run(key, async () => {
        ran = true;
      })
      .catch((e: unknown) => e);
    expect((error as FerryError).code).toBe('conflict');
    expect(ran).toBe(false);
  });

  it('keeps renewing the lease while long work runs', async () => {
    const { lock, store, scheduler } = setup();
    let finish = () => {};
    const running = lock.run(key, () => new Promise<void>((resolve) => (finish = resolve)));
    await flush();
    await scheduler.advance(3 * ttlMs);
    const other = await store.tryAcquire(key, 'other', scheduler.clock.now(), ttlMs);
    expect(other).toBe(false);
    expect((await store.get(key))?.expiresAt).toBeGreaterThan(scheduler.clock.now());
    finish();
    await running;
    expect(scheduler.pending).toBe(0);
  });

  it('stops waiting for another server on close and never takes the lease afterwards', async () => {
    const { lock, store, scheduler } = setup(60_000);
    await store.tryAcquire(key, 'other', scheduler.clock.now(), ttlMs);
    let ran = false;
    const running = lock.run(key, async () => {
      ran = true;
    });
    await flush();
    await scheduler.advance(1_000);
    await lock.close();
    await store.release(key, 'other');
    await scheduler.advance(1_000);
    await expect(running).rejects.toThrow(/closed/);
    expect(ran).toBe(false);
    expect(await store.get(key)).toBeUndefined();
  });

  it('releases its leases on close, so another server takes them at once', async () => {
    const { lock, store, scheduler } = setup();
    await lock.run(key, async () => {});
    await lock.run('web/staging', async () => {});
    await lock.close();
    expect(await store.get(key)).toBeUndefined();
    expect(await store.get('web/staging')).toBeUndefined();
    const next = new LeaseLock({ store, owner: 'next', scheduler, ttlMs, waitMs: 0 });
    await expect(next.run(key, async () => 'ran')).resolves.toBe('ran');
    await expect(lock.run(key, async () => 'ran')).rejects.toThrow(/closed/);
  });
});
