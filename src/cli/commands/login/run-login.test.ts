import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../main.js';
import { captureIo, startFakeApi, type FakeApi } from '../../test-api-server.js';

let api: FakeApi | undefined;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-login-'));
});
afterEach(async () => {
  await api?.close();
  api = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const view = {
  id: 'tok-1',
  name: 'laptop',
  role: 'admin',
  scopes: ['*'],
  createdAt: '2030-01-01T00:00:00.000Z',
  createdBy: 'local',
  expiresAt: null,
  lastUsedAt: null,
  revokedAt: null,
};
const secret = `ferry_tok-1_${'s'.repeat(43)}`;

async function login(stdin: string | undefined, ...args: string[]) {
  const out = captureIo({
    env: { XDG_CONFIG_HOME: dir },
    ...(stdin === undefined ? {} : { stdin: Readable.from([stdin]) }),
  });
  const code = await main(['login', '--server', api?.url ?? '', ...args], out.io);
  return { code, stdout: out.stdout(), stderr: out.stderr() };
}

describe('ferry login', () => {
  it('checks the token from stdin with the server, then saves it 0600', async () => {
    api = await startFakeApi((r) =>
      r.headers.authorization === `Bearer ${secret}`
        ? { json: { token: view } }
        : { status: 401, json: { error: { code: 'unauthorized', message: 'no' } } },
    );
    const run = await login(`${secret}\n`);
    expect(run.code, run.stderr).toBe(0);
    expect(api.requests.map((r) => r.path)).toEqual(['/api/v1/whoami']);
    const file = join(dir, 'ferry', 'credentials.json');
    expect(run.stderr).toBe(
      `logged in to ${api.url} with token tok-1 "laptop" (admin); saved in ${file}\n`,
    );
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      servers: { [api.url]: { token: secret } },
    });

    // Later commands send the saved token.
    const status = captureIo({ env: { XDG_CONFIG_HOME: dir } });
    await main(['status', '--server', api.url], status.io);
    expect(api.requests[1]?.headers.authorization).toBe(`Bearer ${secret}`);
  });

  it('saves nothing when the server refuses the token', async () => {
    api = await startFakeApi(() => ({
      status: 401,
      json: { error: { code: 'unauthorized', message: 'a valid bearer token is required' } },
    }));
    const run = await login('ferry_tok-1_wrong\n');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('refused this token');
    expect(() => statSync(join(dir, 'ferry', 'credentials.json'))).toThrow();
  });

  it('exits 2 when stdin holds no token', async () => {
    api = await startFakeApi(() => ({ json: { token: view } }));
    const run = await login('  \n');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no token given');
    expect(api.requests).toHaveLength(0);
  });
});
