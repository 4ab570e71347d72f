import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../main.js';
import { captureIo, startFakeApi, type FakeApi } from '../../test-api-server.js';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const digest = `sha256:${'ab'.repeat(32)}`;
const reported = {
  id: 'gate-2',
  service: 'web',
  version: 'v2',
  digest,
  name: 'tests',
  status: 'passed',
  values: { coverage: 83.2, failures: 0 },
  url: 'https://ci.example.com/jobs/2',
  reporter: 'token:tok-1',
  reportedAt: '2030-01-01T00:01:00.000Z',
};
const older = {
  ...reported,
  id: 'gate-1',
  status: 'failed',
  values: {},
  url: null,
  reportedAt: '2030-01-01T00:00:00.000Z',
};

async function ferry(...args: string[]) {
  const out = captureIo();
  const code = await main([...args, ...(api ? ['--server', api.url] : [])], out.io);
  return { code, stdout: out.stdout(), stderr: out.stderr() };
}

describe('ferry gate', () => {
  it('report sends the gate, its status, values and URL, and says what was recorded', async () => {
    api = await startFakeApi(() => ({ status: 201, json: reported }));
    const run = await ferry(
      'gate',
      'report',
      'web',
      'v2',
      '--name',
      'tests',
      '--status',
      'passed',
      '--value',
      'coverage=83.2',
      '--value',
      'failures=0',
      '--url',
      'https://ci.example.com/jobs/2',
    );
    expect(run.code).toBe(0);
    expect(api.requests[0]?.method).toBe('POST');
    expect(api.requests[0]?.path).toBe('/api/v1/artifacts/web/v2/gates');
    expect(JSON.parse(api.requests[0]?.body.toString() ?? '')).toEqual({
      name: 'tests',
      status: 'passed',
      values: { coverage: 83.2, failures: 0 },
      url: 'https://ci.example.com/jobs/2',
    });
    expect(run.stderr).toBe(
      'tests passed (coverage=83.2,failures=0) recorded for web v2 (sha256:abababababab) by token:tok-1 at 2030-01-01T00:01:00.000Z\n',
    );
    expect(run.stdout).toBe('');

    const json = await ferry(
      'gate',
      'report',
      'web',
      'v2',
      '--name',
      'tests',
      '--status',
      'failed',
      '--json',
    );
    expect(JSON.parse(json.stdout)).toEqual(reported);
    expect(JSON.parse(api.requests[1]?.body.toString() ?? '')).toEqual({
      name: 'tests',
      status: 'failed',
    });
  });

  it('list prints every report newest first, superseded ones marked; --json the document', async () => {
    api = await startFakeApi((r) =>
      r.path === '/api/v1/artifacts/web/v2/gates'
        ? {
            json: {
              gates: [
                { ...reported, superseded: false },
                { ...older, superseded: true },
              ],
            },
          }
        : undefined,
    );
    const run = await ferry('gate', 'list', 'web', 'v2');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')).toEqual([
      'GATE   STATUS               VALUES                    REPORTED                  BY           URL',
      'tests  passed               coverage=83.2,failures=0  2030-01-01T00:01:00.000Z  token:tok-1  https://ci.example.com/jobs/2',
      'tests  failed (superseded)  -                         2030-01-01T00:00:00.000Z  token:tok-1  -',
      '',
    ]);
    const json = await ferry('gate', 'list', 'web', 'v2', '--json');
    expect(JSON.parse(json.stdout).gates.map((g: { superseded: boolean }) => g.superseded)).toEqual(
      [false, true],
    );
  });

  it("renders the server's refusal as one line, exit 1", async () => {
    const message =
      'no artifact web v9: gate results attach to an artifact that was pushed or deployed before';
    api = await startFakeApi(() => ({
      status: 404,
      json: { error: { code: 'not_found', message, kind: 'artifact', name: 'web@v9' } },
    }));
    const run = await ferry('gate', 'report', 'web', 'v9', '--name', 'tests', '--status', 'passed');
    expect(run).toEqual({ code: 1, stdout: '', stderr: `error: ${message}\n` });
  });

  it.each([
    [
      ['gate', 'report', 'web', 'v2', '--name', 'tests', '--status', 'ok'],
      /--status <status>' argument 'ok' is invalid\. expected passed or failed\./,
    ],
    [
      ['gate', 'report', 'web', 'v2', '--name', 't', '--status', 'passed', '--value', 'coverage'],
      /"coverage": expected name=number, such as coverage=83\.2\./,
    ],
    [
      [
        'gate',
        'report',
        'web',
        'v2',
        '--name',
        't',
        '--status',
        'passed',
        '--value',
        'c=1',
        '--value',
        'c=2',
      ],
      /"c" is given twice\./,
    ],
    [
      ['gate', 'report', 'web', 'v2', '--status', 'passed'],
      /^error: ferry gate report needs --name and --status/,
    ],
    [
      ['gate', 'list', 'web', 'v2', '--status', 'passed'],
      /^error: --status goes with "ferry gate report", not "list"/,
    ],
    [
      ['gate', 'list', 'web'],
      /^error: missing <service> <version>: ferry gate list <service> <version>/,
    ],
    [
      ['gate', 'remove', 'web', 'v2'],
      /^error: unknown gate action "remove"; expected report or list/,
    ],
  ])('refuses %j with one line, exit 2, asking nothing of the server', async (args, message) => {
    api = await startFakeApi(() => ({ json: {} }));
    const run = await ferry(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(api.requests).toEqual([]);
  });
});
