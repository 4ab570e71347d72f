import { describe, expect, it } from 'vitest';
import type { ServiceConfig } from '../../deployments/domain/service-spec.js';
import { databaseUrlOf, redactUrl } from './database-url.js';

function spec(env: Record<string, string>): ServiceConfig {
  return {
    name: 'notes',
    runtime: { kind: 'local', local: { command: ['node'], cwd: '.', env } },
    database: {
      urlEnv: 'DATABASE_URL',
      migrations: 'db/migrations',
      lockTimeoutMs: 2000,
      statementTimeoutMs: 300_000,
      lockRetries: 3,
      contractAfterMs: 3_600_000,
    },
  } as unknown as ServiceConfig;
}

describe('databaseUrlOf', () => {
  it("takes the service's env for the environment first, then Ferry's own", () => {
    const ferry = { DATABASE_URL: 'postgres://ferry-env/db' };
    expect(databaseUrlOf(spec({ DATABASE_URL: 'postgres://own/db' }), 'prod', ferry)).toEqual({
      found: true,
      url: 'postgres://own/db',
      from: 'service env',
    });
    expect(databaseUrlOf(spec({}), 'prod', ferry)).toEqual({
      found: true,
      url: 'postgres://ferry-env/db',
      from: 'Ferry env',
    });
  });

  it('names the variable and where it looked when it is set nowhere (or empty)', () => {
    expect(databaseUrlOf(spec({ DATABASE_URL: '' }), 'staging', {})).toEqual({
      found: false,
      message:
        'database.url.env: the variable DATABASE_URL is set neither in the env of service notes ' +
        "for staging (runtime.local.env, overrides.staging.env) nor in Ferry's own environment; " +
        'set it in one of them',
    });
  });
});

describe('redactUrl', () => {
  it('hides the URL and its password wherever a message repeats them', () => {
    const url = 'postgres://app:p%40ss@db.internal:5432/notes';
    expect(redactUrl(`cannot reach ${url}: password p@ss rejected`, url)).toBe(
      'cannot reach <database url>: password *** rejected',
    );
    expect(redactUrl('plain message', 'not a url')).toBe('plain message');
  });
});
