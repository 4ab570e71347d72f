import { describe, expect, it } from 'vitest';
import { configJsonSchema } from './config-json-schema.js';
import { problemsOf } from './config-problems.js';
import { parseConfig } from './load-config.js';

/** A ferry.yaml whose one service `web` has the given lines after its runtime. */
function withService(...lines: string[]): string {
  return [
    'apiVersion: ferry.dev/v1',
    'environments: [{ name: prod }]',
    'services:',
    '  web:',
    '    runtime: { local: { command: node server.js } }',
    ...lines.map((line) => `    ${line}`),
  ].join('\n');
}

describe('services.<name>.database', () => {
  it('maps the written fields to the spec, durations in milliseconds', () => {
    const config = parseConfig(
      withService(
        'database:',
        '  url: { env: NOTES_DB }',
        '  migrations: sql/migrations/',
        '  lockTimeout: 500ms',
        '  statementTimeout: 1m',
        '  lockRetries: 5',
        '  contractAfter: 2h',
        '  autoContract: true',
      ),
      'ferry.yaml',
    );
    expect(config.services.web?.database).toStrictEqual({
      urlEnv: 'NOTES_DB',
      migrations: 'sql/migrations',
      lockTimeoutMs: 500,
      statementTimeoutMs: 60_000,
      lockRetries: 5,
      contractAfterMs: 7_200_000,
      autoContract: true,
    });
  });

  it('fills in the defaults and leaves services without a database without one', () => {
    const config = parseConfig(
      withService('database: { url: { env: DATABASE_URL } }'),
      'ferry.yaml',
    );
    expect(config.services.web?.database).toStrictEqual({
      urlEnv: 'DATABASE_URL',
      migrations: 'db/migrations',
      lockTimeoutMs: 2000,
      statementTimeoutMs: 300_000,
      lockRetries: 3,
      contractAfterMs: 3_600_000,
      autoContract: false,
    });
    expect(parseConfig(withService(), 'ferry.yaml').services.web).not.toHaveProperty('database');
  });

  it('reports each bad field at its line and column, never quoting a URL written in place of its variable', () => {
    expect(
      problemsOf(
        withService(
          'database:',
          '  url: postgres://u:secret@db/app',
          '  migrations: ../outside',
          '  lockTimeout: soon',
          '  lockRetries: 99',
          '  color: blue',
        ),
      ),
    ).toEqual([
      'ferry.yaml:7:12 services.web.database.url: write the name of the variable that holds the URL, not the URL: url: { env: DATABASE_URL }',
      'ferry.yaml:8:19 services.web.database.migrations: expected a folder inside the artifact such as db/migrations, got "../outside"',
      'ferry.yaml:9:20 services.web.database.lockTimeout: expected a duration such as 500ms, 10s or 5m, got "soon"',
      'ferry.yaml:10:20 services.web.database.lockRetries: expected an integer from 0 to 10, got 99',
      'ferry.yaml:11:7 services.web.database.color: unknown field "color"; allowed fields are url, migrations, lockTimeout, statementTimeout, lockRetries, contractAfter, autoContract',
    ]);
    expect(problemsOf(withService('database: { url: { env: 1DB } }'))).toEqual([
      'ferry.yaml:6:29 services.web.database.url.env: expected an environment variable name such as DATABASE_URL, got "1DB"',
    ]);
  });

  it('is in the JSON schema editors read, with its defaults as written', () => {
    const schema = configJsonSchema() as {
      properties: { services: { additionalProperties: { properties: Record<string, unknown> } } };
    };
    const database = schema.properties.services.additionalProperties.properties.database;
    expect(database).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: ['url'],
      properties: {
        migrations: { type: 'string', default: 'db/migrations' },
        lockTimeout: { type: 'string', default: '2s' },
        statementTimeout: { type: 'string', default: '5m' },
        lockRetries: { type: 'integer', default: 3 },
        contractAfter: { type: 'string', default: '1h' },
        autoContract: { type: 'boolean', default: false },
      },
    });
  });
});
