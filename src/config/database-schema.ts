import { posix } from 'node:path';
import { z } from 'zod';
import { countSchema, durationSchema } from './config-primitives.js';
import { expecting, expectingMap } from './describe-value.js';
import type { DatabaseConfig } from './ferry-config.js';

const envNameError = expecting('an environment variable name such as DATABASE_URL');
const folderError = expecting('a folder inside the artifact such as db/migrations');

const urlMapError = expectingMap('a map such as { env: DATABASE_URL }');

/** Never quotes what was written: a URL written here in place of the map may hold a password. */
function urlError(issue: { readonly code?: string; readonly input?: unknown }): string | undefined {
  if (typeof issue.input !== 'string') return urlMapError(issue);
  return 'write the name of the variable that holds the URL, not the URL: url: { env: DATABASE_URL }';
}

/** The most lock retries: past that a migration waits on a live table for too long anyway. */
export const maxLockRetries = 10;

/**
 * `services.<name>.database`: the PostgreSQL database a service migrates. Only the name of the
 * variable that holds its URL is written (`url: { env: DATABASE_URL }`), never the URL: Ferry
 * looks it up when a migration runs, in the service's `env` for the environment, then in its own.
 */
export const databaseSchema = z
  .strictObject(
    {
      url: z.strictObject(
        {
          env: z
            .string({ error: envNameError })
            .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: envNameError }),
        },
        { error: urlError },
      ),
      migrations: z
        .string({ error: folderError })
        .refine(staysInArtifact, { error: folderError })
        .default('db/migrations'),
      lockTimeout: durationSchema.prefault('2s'),
      statementTimeout: durationSchema.prefault('5m'),
      lockRetries: countSchema(0, `an integer from 0 to ${maxLockRetries}`)
        .max(maxLockRetries, { error: expecting(`an integer from 0 to ${maxLockRetries}`) })
        .default(3),
      contractAfter: durationSchema.prefault('1h'),
      autoContract: z.boolean({ error: expecting('true or false') }).default(false),
    },
    {
      error: expectingMap(
        'a map such as { url: { env: DATABASE_URL }, migrations: db/migrations }',
      ),
    },
  )
  .transform((database): DatabaseConfig => ({
    urlEnv: database.url.env,
    migrations: posix.normalize(database.migrations).replace(/\/+$/, ''),
    lockTimeoutMs: database.lockTimeout,
    statementTimeoutMs: database.statementTimeout,
    lockRetries: database.lockRetries,
    contractAfterMs: database.contractAfter,
    autoContract: database.autoContract,
  }));

/** A relative folder that does not climb out of the artifact's root. */
function staysInArtifact(folder: string): boolean {
  if (folder === '' || folder.startsWith('/')) return false;
  const normal = posix.normalize(folder);
  return normal !== '.' && normal !== '..' && !normal.startsWith('../');
}
