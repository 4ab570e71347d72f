import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../main.js';
import { captureIo, startFakeApi, type FakeApi } from '../../test-api-server.js';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const entries = [
  {
    id: 2,
    at: '2030-01-01T00:00:02.000Z',
    actor: 'token:tok-1',
    actorName: 'ci',
    action: 'POST /api/v1/deployments',
    target: { service: 'web', environment: 'prod' },
    parameters: { body: { service: 'web', environment: 'prod', version: 'v2' } },
    status: 403,
    errorCode: 'forbidden',
    before: null,
    after: null,
  },
  {
    id: 1,
    at: '2030-01-01T00:00:01.000Z',
    actor: 'local',
    actorName: null,
    action: 'POST /api/v1/tokens',
    target: {},
    parameters: { body: { name: 'ci' } },
    status: 201,
    errorCode: null,
    before: null,
    after: null,
  },
];

async function ferry(...args: string[]) {
  const out = captureIo();
  const code = await main([...args, ...(api ? ['--server', api.url] : [])], out.io);
  return { code, stdout: out.stdout(), stderr: out.stderr() };
}

describe('ferry audit', () => {
  it('asks for --actor, --since and --limit and prints a table, newest first', async () => {
    api = await startFakeApi(() => ({ json: { entries } }));
    const run = await ferry('audit', '--actor', 'ci', '--since', '1h', '--limit', '5');
    expect(run.code).toBe(0);
    expect(api.requests[0]?.path).toBe('/api/v1/audit');
    expect(api.requests[0]?.query.toString()).toBe('limit=5&actor=ci&since=1h');
    expect(run.stdout.split('\n')).toEqual([
      'AT                        ACTOR             ACTION                    TARGET    OUTCOME',
      '2030-01-01T00:00:02.000Z  ci (token:tok-1)  POST /api/v1/deployments  web prod  403 forbidden',
      '2030-01-01T00:00:01.000Z  local             POST /api/v1/tokens       -         201',
      '',
    ]);
  });

  it('--json prints the entries as the API gives them', async () => {
    api = await startFakeApi(() => ({ json: { entries } }));
    const run = await ferry('audit', '--json');
    expect(run.code).toBe(0);
    expect(api.requests[0]?.query.toString()).toBe('limit=50');
    expect(JSON.parse(run.stdout)).toEqual({ entries });
  });

  it('refuses a --since that is neither a duration nor a time with exit 2', async () => {
    const run = await ferry('audit', '--since', 'yesterday');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--since "yesterday": expected a duration');
  });
});
