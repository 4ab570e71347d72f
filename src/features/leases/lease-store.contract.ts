import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LeaseStore } from './lease-store.js';

const key = 'web/prod';
const ttl = 15_000;
const t0 = 1_750_000_000_000;

/** What every LeaseStore promises; `open` gives a fresh, empty store. */
export function describeLeaseStoreContract(
  name: string,
  open: () => Promise<{ store: LeaseStore; close(): Promise<void> }>,
): void {
  describe(`LeaseStore contract: ${name}`, () => {
    let store: LeaseStore;
    let close: () => Promise<void>;
    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(() => close());

    it('gives a free key to the first owner, with every field', async () => {
      expect(await store.get(key)).toBeUndefined();
      expect(await store.tryAcquire(key, 'a', t0, ttl)).toBe(true);
      expect(await store.get(key)).toEqual({
        key,
        owner: 'a',
        expiresAt: t0 + ttl,
        acquiredAt: t0,
        renewedAt: t0,
      });
    });

    it('refuses a live lease to another owner and leaves it as it was', async () => {
      await store.tryAcquire(key, 'a', t0, ttl);
      expect(await store.tryAcquire(key, 'b', t0 + ttl - 1, ttl)).toBe(false);
      expect(await store.get(key)).toMatchObject({ owner: 'a', expiresAt: t0 + ttl });
    });

    it('gives an expired lease to another owner, acquired anew', async () => {
      await store.tryAcquire(key, 'a', t0, ttl);
      expect(await store.tryAcquire(key, 'b', t0 + ttl, ttl)).toBe(true);
      expect(await store.get(key)).toEqual({
        key,
        owner: 'b',
        expiresAt: t0 + 2 * ttl,
        acquiredAt: t0 + ttl,
        renewedAt: t0 + ttl,
      });
    });

    it("extends its owner's own lease on acquire and keeps when it was taken", async () => {
      await store.tryAcquire(key, 'a', t0, ttl);
      expect(await store.tryAcquire(key, 'a', t0 + 5_000, ttl)).toBe(true);
      expect(await store.get(key)).toMatchObject({
        owner: 'a',
        expiresAt: t0 + 5_000 + ttl,
        acquiredAt: t0,
        renewedAt: t0 + 5_000,
      });
    });

    it('renews only for its owner, and never creates a lease', async () => {
      expect(await store.renew(key, 'a', t0, ttl)).toBe(false);
      expect(await store.get(key)).toBeUndefined();
      await store.tryAcquire(key, 'a', t0, ttl);
      expect(await store.renew(key, 'b', t0 + 1_000, ttl)).toBe(false);
      expect(await store.get(key)).toMatchObject({ owner: 'a', expiresAt: t0 + ttl });
      expect(await store.renew(key, 'a', t0 + 1_000, ttl)).toBe(true);
      expect(await store.get(key)).toMatchObject({
        owner: 'a',
        expiresAt: t0 + 1_000 + ttl,
        acquiredAt: t0,
        renewedAt: t0 + 1_000,
      });
    });

    it('renews a lease past its expiry that nobody took, but not one another owner took', async () => {
      await store.tryAcquire(key, 'a', t0, ttl);
      expect(await store.renew(key, 'a', t0 + ttl + 1, ttl)).toBe(true);
      expect(await store.get(key)).toMatchObject({ owner: 'a', expiresAt: t0 + 2 * ttl + 1 });
      await store.tryAcquire(key, 'b', t0 + 3 * ttl, ttl);
      expect(await store.renew(key, 'a', t0 + 3 * ttl + 1, ttl)).toBe(false);
      expect(await store.get(key)).toMatchObject({ owner: 'b' });
    });

    it("releases only its owner's lease; then another owner takes it at once", async () => {
      await store.tryAcquire(key, 'a', t0, ttl);
      await store.release(key, 'b');
      expect(await store.get(key)).toMatchObject({ owner: 'a' });
      await store.release(key, 'a');
      expect(await store.get(key)).toBeUndefined();
      await store.release(key, 'a');
      expect(await store.tryAcquire(key, 'b', t0 + 1, ttl)).toBe(true);
      expect(await store.get(key)).toMatchObject({ owner: 'b' });
    });

    it('keeps keys apart', async () => {
      await store.tryAcquire(key, 'a', t0, ttl);
      expect(await store.tryAcquire('web/staging', 'b', t0, ttl)).toBe(true);
      expect(await store.get(key)).toMatchObject({ owner: 'a' });
      expect(await store.get('web/staging')).toMatchObject({ owner: 'b' });
      expect(await store.get('web')).toBeUndefined();
    });

    it('lets exactly one of many owners racing for a free key win', async () => {
      const owners = Array.from({ length: 16 }, (_, i) => `owner-${i}`);
      const results = await Promise.all(owners.map((o) => store.tryAcquire(key, o, t0, ttl)));
      const winners = owners.filter((_, i) => results[i]);
      expect(winners).toHaveLength(1);
      expect(await store.get(key)).toMatchObject({ owner: winners[0] });
    });

    it('lets exactly one of many owners racing for an expired lease win', async () => {
      await store.tryAcquire(key, 'gone', t0, ttl);
      const owners = Array.from({ length: 16 }, (_, i) => `owner-${i}`);
      const later = t0 + ttl + 1;
      const results = await Promise.all(owners.map((o) => store.tryAcquire(key, o, later, ttl)));
      const winners = owners.filter((_, i) => results[i]);
      expect(winners).toHaveLength(1);
      expect(await store.get(key)).toMatchObject({ owner: winners[0], acquiredAt: later });
    });
  });
}
