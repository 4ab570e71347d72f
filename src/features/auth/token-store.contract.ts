import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiToken } from './domain/api-token.js';
import type { TokenStore } from './token-store.js';

const token = (id: string, createdAt: string): ApiToken => ({
  id,
  name: `ci ${id}`,
  role: 'admin',
  scopes: ['prod', 'staging'],
  secretSha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  createdAt,
  createdBy: 'local',
  expiresAt: null,
  lastUsedAt: null,
  revokedAt: null,
});

/** What every TokenStore promises; `open` gives a fresh, empty store. */
export function describeTokenStoreContract(
  name: string,
  open: () => Promise<{ store: TokenStore; close(): Promise<void> }>,
): void {
  describe(`TokenStore contract: ${name}`, () => {
    let store: TokenStore;
    let close: () => Promise<void>;
    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(() => close());

    it('gives back an inserted token with every field, nulls and scopes included', async () => {
      const full = {
        ...token('t2', '2025-06-01T12:00:00.000Z'),
        scopes: ['*'],
        expiresAt: '2025-07-01T00:00:00.000Z',
        lastUsedAt: '2025-06-02T00:00:00.000Z',
        revokedAt: '2025-06-03T00:00:00.000Z',
      };
      await store.insert(token('t1', '2025-06-01T12:00:00.000Z'));
      await store.insert(full);
      expect(await store.get('t1')).toEqual(token('t1', '2025-06-01T12:00:00.000Z'));
      expect(await store.get('t2')).toEqual(full);
      expect(await store.get('nope')).toBeUndefined();
    });

    it('shares no object with its callers', async () => {
      const given = token('t1', '2025-06-01T12:00:00.000Z');
      await store.insert(given);
      Object.assign(given.scopes, ['changed']);
      Object.assign((await store.get('t1'))!.scopes, ['changed']);
      Object.assign((await store.list())[0]!.scopes, ['changed']);
      expect((await store.get('t1'))?.scopes).toEqual(['prod', 'staging']);
    });

    it('rejects a second token with the same id and keeps the first', async () => {
      await store.insert(token('t1', '2025-06-01T12:00:00.000Z'));
      await expect(store.insert(token('t1', '2025-06-09T12:00:00.000Z'))).rejects.toThrow();
      expect((await store.get('t1'))?.createdAt).toBe('2025-06-01T12:00:00.000Z');
    });

    it('lists every token, revoked ones too, oldest first, ties by id', async () => {
      await store.insert(token('t3', '2025-06-01T12:02:00.000Z'));
      await store.insert(token('t2', '2025-06-01T12:00:00.000Z'));
      await store.insert(token('t1', '2025-06-01T12:00:00.000Z'));
      await store.revoke('t1', '2025-06-01T13:00:00.000Z');
      expect((await store.list()).map((t) => t.id)).toEqual(['t1', 't2', 't3']);
    });

    it('revokes once: a second revoke keeps the first time; a missing id gives undefined', async () => {
      await store.insert(token('t1', '2025-06-01T12:00:00.000Z'));
      const revoked = await store.revoke('t1', '2025-06-01T13:00:00.000Z');
      expect(revoked).toEqual({
        ...token('t1', '2025-06-01T12:00:00.000Z'),
        revokedAt: '2025-06-01T13:00:00.000Z',
      });
      expect(await store.revoke('t1', '2025-06-01T14:00:00.000Z')).toEqual(revoked);
      expect(await store.revoke('nope', '2025-06-01T14:00:00.000Z')).toBeUndefined();
    });

    it('touch sets lastUsedAt each time and ignores a missing id', async () => {
      await store.insert(token('t1', '2025-06-01T12:00:00.000Z'));
      await store.touch('t1', '2025-06-01T12:30:00.000Z');
      await store.touch('t1', '2025-06-01T12:40:00.000Z');
      await store.touch('nope', '2025-06-01T12:40:00.000Z');
      expect(await store.get('t1')).toEqual({
        ...token('t1', '2025-06-01T12:00:00.000Z'),
        lastUsedAt: '2025-06-01T12:40:00.000Z',
      });
      expect(await store.list()).toHaveLength(1);
    });
  });
}
