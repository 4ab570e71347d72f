import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServiceStop, StopStore } from './stop-store.js';

const web = { service: 'web', environment: 'prod' };
const stop: ServiceStop = { ...web, stoppedAt: '2025-06-01T12:00:00.000Z', actor: 'token:t1' };

/** What every StopStore promises; `open` gives a fresh, empty store. */
export function describeStopStoreContract(
  name: string,
  open: () => Promise<{ store: StopStore; close(): Promise<void> }>,
): void {
  describe(`StopStore contract: ${name}`, () => {
    let store: StopStore;
    let close: () => Promise<void>;
    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(() => close());

    it('gives back an inserted stop with every field, and nothing for another scope', async () => {
      await store.insert(stop);
      expect(await store.get(web)).toEqual(stop);
      expect(await store.get({ service: 'web', environment: 'staging' })).toBeUndefined();
      expect(await store.get({ service: 'api', environment: 'prod' })).toBeUndefined();
    });

    it('rejects a second stop of the same scope and keeps the first', async () => {
      await store.insert(stop);
      await expect(store.insert({ ...stop, actor: 'local' })).rejects.toThrow();
      expect(await store.get(web)).toEqual(stop);
    });

    it('removes only the given scope; removing a missing one is a no-op', async () => {
      const staging = { ...stop, environment: 'staging' };
      await store.insert(stop);
      await store.insert(staging);
      await store.remove(web);
      await store.remove(web);
      expect(await store.get(web)).toBeUndefined();
      expect(await store.get(staging)).toEqual(staging);
      await store.insert(stop);
      expect(await store.get(web)).toEqual(stop);
    });
  });
}
