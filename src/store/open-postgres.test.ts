import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../demo/free-port.js';
import { FerryError } from '../errors/ferry-error.js';
import {
  createPostgresDatabase,
  postgresUnavailable,
  type PostgresDatabase,
} from '../../test/support/postgres.js';
import { openPostgres } from './open-postgres.js';

/** Skipped without PostgreSQL (the reason is in test/support/postgres.ts); never under CI. */
const unavailable = await postgresUnavailable();

describe('openPostgres', () => {
  it('names a server it cannot reach and what to do, never the password', async () => {
    const url = `postgres://ferry:s3cret@127.0.0.1:${await freePort()}/ferry`;
    const error = await openPostgres(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FerryError);
    expect((error as FerryError).code).toBe('store_fault');
    expect((error as FerryError).message).toMatch(
      /^PostgreSQL store postgres:\/\/ferry@127\.0\.0\.1:\d+\/ferry cannot be reached \(.*ECONNREFUSED.*\): start PostgreSQL or fix the host and port in --store \(or FERRY_STORE\)$/,
    );
    expect((error as FerryError).message).not.toContain('s3cret');
  });

  describe.skipIf(unavailable !== undefined)('on a real PostgreSQL', () => {
    let database: PostgresDatabase;
    beforeAll(async () => {
      database = await createPostgresDatabase();
    });
    afterAll(async () => {
      await database?.drop();
    });

    it('names a database that does not exist', async () => {
      const url = new URL(database.url);
      url.pathname = '/ferry_test_missing';
      const error = await openPostgres(url.toString()).catch((e: unknown) => e);
      expect((error as FerryError).code).toBe('store_fault');
      expect((error as FerryError).message).toContain(
        'has no such database (database "ferry_test_missing" does not exist): create it',
      );
    });

    it('migrates a fresh database with 64-bit integers and identity ids, and again as a no-op', async () => {
      const first = await openPostgres(database.url);
      await first.destroy();
      const db = await openPostgres(database.url);
      try {
        const columns = await sql<{ column: string; type: string; identity: string }>`
          select table_name || '.' || column_name as column, data_type as type,
                 is_identity as identity
          from information_schema.columns
          where table_schema = 'public' and table_name in ('events', 'instances')
            and data_type <> 'text'
          order by 1`.execute(db);
        expect(columns.rows).toEqual([
          { column: 'events.id', type: 'bigint', identity: 'YES' },
          { column: 'instances.port', type: 'bigint', identity: 'NO' },
          { column: 'instances.restarts', type: 'bigint', identity: 'NO' },
        ]);
        // A count is a bigint on PostgreSQL: the pool reads it as a number, as SQLite gives it.
        const count = await db
          .selectFrom('events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        expect(count.n).toBe(0);
      } finally {
        await db.destroy();
      }
    });
  });
});
