import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createPostgresDatabase, postgresUnavailable } from '../../../test/support/postgres.js';
import { FerryError } from '../../errors/ferry-error.js';
import { openPostgres } from '../../store/open-postgres.js';
import { openSqlite } from '../../store/open-sqlite.js';
import type { Database } from '../../store/schema.js';
import { systemScheduler } from '../analysis/scheduler.js';
import { KyselyLeaseStore } from './kysely-lease-store.js';
import { LeaseLock } from './lease-lock.js';

const key = 'web/prod';

/** Two connections to one database, as two servers on one store have; `drop` removes it. */
interface SharedDatabase {
  readonly first: Kysely<Database>;
  readonly second: Kysely<Database>;
  drop(): Promise<void>;
}

async function sharedSqlite(): Promise<SharedDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-leases-'));
  const file = join(dir, 'ferry.db');
  const first = await openSqlite(file);
  const second = await openSqlite(file);
  return {
    first,
    second,
    async drop() {
      await Promise.all([first.destroy(), second.destroy()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function sharedPostgres(): Promise<SharedDatabase> {
  const database = await createPostgresDatabase();
  const first = await openPostgres(database.url);
  const second = await openPostgres(database.url);
  return {
    first,
    second,
    async drop() {
      await Promise.all([first.destroy(), second.destroy()]);
      await database.drop();
    },
  };
}

/** A server's lock on `db`, counting its attempts to take a lease another server holds. */
function serverLock(
  db: Kysely<Database>,
  owner: string,
  options: { ttlMs: number; waitMs: number },
) {
  const store = new KyselyLeaseStore(db);
  const attempts = { count: 0 };
  const counted = Object.assign(Object.create(store) as KyselyLeaseStore, {
    tryAcquire: (...args: Parameters<KyselyLeaseStore['tryAcquire']>) => {
      attempts.count += 1;
      return store.tryAcquire(...args);
    },
  });
  const lock = new LeaseLock({ store: counted, owner, scheduler: systemScheduler, ...options });
  return { lock, store, attempts };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

const postgresSkip = await postgresUnavailable();
const backends = [
  { name: 'sqlite', open: sharedSqlite },
  { name: 'postgres', open: sharedPostgres, skip: postgresSkip },
];

for (const backend of backends) {
  describe.skipIf(backend.skip !== undefined)(
    `LeaseLock, two servers on one ${backend.name} store`,
    () => {
      let shared: SharedDatabase | undefined;
      afterEach(async () => {
        await shared?.drop();
        shared = undefined;
      });

      it('makes the second server wait while the first holds the lease, then go on once it closes', async () => {
        shared = await backend.open();
        const a = serverLock(shared.first, 'server-a', { ttlMs: 60_000, waitMs: 60_000 });
        const b = serverLock(shared.second, 'server-b', { ttlMs: 60_000, waitMs: 60_000 });
        await a.lock.run(key, async () => {});
        let bRan = false;
        const bRun = b.lock.run(key, async () => {
          bRan = true;
          return (await b.store.get(key))?.owner;
        });
        await until(() => b.attempts.count >= 3);
        await a.lock.run(key, async () => {});
        expect(bRan).toBe(false);
        await a.lock.close();
        expect(await bRun).toBe('server-b');
        await b.lock.close();
      });

      it('answers a conflict naming the first server when it keeps the lease', async () => {
        shared = await backend.open();
        const a = serverLock(shared.first, 'server-a', { ttlMs: 60_000, waitMs: 0 });
        const b = serverLock(shared.second, 'server-b', { ttlMs: 60_000, waitMs: 200 });
        await a.lock.run(key, async () => {});
        const error = await b.lock.run(key, async () => 'ran').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(FerryError);
        expect((error as FerryError).code).toBe('conflict');
        expect((error as FerryError).message).toContain('server-a');
        await a.lock.close();
      });

      it('takes over from a server that died holding the lease once the lease expires', async () => {
        shared = await backend.open();
        const dead = serverLock(shared.first, 'server-a', { ttlMs: 1_000, waitMs: 0 });
        const b = serverLock(shared.second, 'server-b', { ttlMs: 1_000, waitMs: 60_000 });
        await dead.lock.run(key, async () => {});
        const left = await dead.store.get(key);
        // server-a never closes: its lease stays in the store until it expires.
        const owner = await b.lock.run(key, async () => (await b.store.get(key))?.owner);
        expect(owner).toBe('server-b');
        expect((await b.store.get(key))?.acquiredAt).toBeGreaterThanOrEqual(left!.expiresAt);
        await b.lock.close();
      });
    },
  );
}
