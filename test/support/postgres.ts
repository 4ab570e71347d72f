import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL that tests create their databases through (env FERRY_TEST_POSTGRES). */
const adminUrl = process.env['FERRY_TEST_POSTGRES'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const hint =
  `PostgreSQL is not reachable at ${adminUrl}: start one (e.g. docker run -p 5432:5432 ` +
  '-e POSTGRES_HOST_AUTH_METHOD=trust postgres:15, then createdb -h 127.0.0.1 -U postgres test) ' +
  'or set FERRY_TEST_POSTGRES';

/** A database of one test's own, dropped (connections and all) by `drop`. */
export interface PostgresDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

async function withAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/**
 * Why PostgreSQL tests cannot run here (with how to get PostgreSQL), or undefined when they can.
 * Under CI (`CI=true`) PostgreSQL is required: undefined, so the tests run and fail.
 */
export async function postgresUnavailable(): Promise<string | undefined> {
  if (process.env['CI'] === 'true') return undefined;
  try {
    await withAdmin((client) => client.query('select 1'));
    return undefined;
  } catch {
    return hint;
  }
}

/** Creates `ferry_test_<random>` through the admin connection; its URL names the same server. */
export async function createPostgresDatabase(): Promise<PostgresDatabase> {
  const name = `ferry_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((client) => client.query(`create database ${name}`)).catch((error: unknown) => {
    throw new Error(`${hint} (${String(error)})`, { cause: error });
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await withAdmin((client) => client.query(`drop database if exists ${name} with (force)`));
    },
  };
}
