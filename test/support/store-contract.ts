import type { Kysely } from 'kysely';
import { describe } from 'vitest';
import type { Database } from '../../src/store/schema.js';
import { storeBackends } from './store-backends.js';

type Open<S> = () => Promise<{ readonly store: S; close(): Promise<void> }>;

/**
 * Registers a port's contract suite against its in-memory fake and against its Kysely adapter on
 * every backend of `storeBackends`, so the fake and each real database keep one behaviour.
 */
export function runStoreContract<S>(
  suite: (name: string, open: Open<S>) => void,
  fake: () => S,
  adapter: (db: Kysely<Database>) => S,
): void {
  suite('in-memory fake', async () => ({ store: fake(), close: async () => {} }));
  for (const backend of storeBackends) {
    const register = backend.skip ? describe.skip : describe;
    register(backend.skip ? `${backend.name} (skipped: ${backend.skip})` : backend.name, () => {
      suite('Kysely adapter', async () => {
        const opened = await backend.open();
        return { store: adapter(opened.db), close: () => opened.close() };
      });
    });
  }
}
