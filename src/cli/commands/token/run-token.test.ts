import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../main.js';
import { captureIo, startFakeApi, type FakeApi } from '../../test-api-server.js';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const view = {
  id: 'tok-1',
  name: 'ci',
  role: 'admin',
  scopes: ['*'],
  createdAt: '2030-01-01T00:00:00.000Z',
  createdBy: 'local',
  expiresAt: '2030-01-31T00:00:00.000Z',
  lastUsedAt: null,
  revokedAt: null,
};
const secret = `ferry_tok-1_${'s'.repeat(43)}`;

async function ferry(...args: string[]) {
  const out = captureIo();
  const code = await main([...args, ...(api ? ['--server', api.url] : [])], out.io);
  return { code, stdout: out.stdout(), stderr: out.stderr() };
}

describe('ferry token', () => {
  it('create prints the secret alone on stdout and what it is on stderr', async () => {
    api = await startFakeApi(() => ({ status: 201, json: { token: view, secret } }));
    const run = await ferry('token', 'create', 'ci', '--expires', '30d');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${secret}\n`);
    expect(run.stderr).toBe(
      'created token tok-1 "ci" (admin, expires 2030-01-31T00:00:00.000Z); its secret, shown only now:\n',
    );
    expect(api.requests[0]?.method).toBe('POST');
    expect(api.requests[0]?.path).toBe('/api/v1/tokens');
    expect(JSON.parse(api.requests[0]?.body.toString() ?? '')).toEqual({
      name: 'ci',
      expiresIn: '30d',
    });
    const json = await ferry('token', 'create', 'ci', '--json');
    expect(JSON.parse(json.stdout)).toEqual({ token: view, secret });
    expect(JSON.parse(api.requests[1]?.body.toString() ?? '')).toEqual({ name: 'ci' });
  });

  it('create --role deployer --env staging --env dev asks for that role on those environments', async () => {
    const scoped = { ...view, role: 'deployer', scopes: ['staging', 'dev'], expiresAt: null };
    api = await startFakeApi(() => ({ status: 201, json: { token: scoped, secret } }));
    const run = await ferry(
      'token',
      'create',
      'ci',
      '--role',
      'deployer',
      '--env',
      'staging',
      '--env',
      'dev',
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(api.requests[0]?.body.toString() ?? '')).toEqual({
      name: 'ci',
      role: 'deployer',
      environments: ['staging', 'dev'],
    });
    expect(run.stderr).toBe(
      'created token tok-1 "ci" (deployer on staging, dev, no expiry); its secret, shown only now:\n',
    );
  });

  it('list prints a table, never a secret', async () => {
    const revoked = { ...view, id: 'tok-2', name: 'old', revokedAt: '2030-01-02T00:00:00.000Z' };
    api = await startFakeApi(() => ({ json: { tokens: [view, revoked] } }));
    const run = await ferry('token', 'list');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')).toEqual([
      'ID     NAME  ROLE   SCOPES  CREATED                   LAST-USED  EXPIRES                   REVOKED',
      'tok-1  ci    admin  *       2030-01-01T00:00:00.000Z  -          2030-01-31T00:00:00.000Z  -',
      'tok-2  old   admin  *       2030-01-01T00:00:00.000Z  -          2030-01-31T00:00:00.000Z  2030-01-02T00:00:00.000Z',
      '',
    ]);
  });

  it('revoke posts to the token and says so', async () => {
    const revoked = { ...view, revokedAt: '2030-01-02T00:00:00.000Z' };
    api = await startFakeApi(() => ({ json: { token: revoked } }));
    const run = await ferry('token', 'revoke', 'tok-1');
    expect(run.code).toBe(0);
    expect(api.requests[0]?.path).toBe('/api/v1/tokens/tok-1/revoke');
    expect(run.stderr).toBe('revoked token tok-1 "ci" at 2030-01-02T00:00:00.000Z\n');
  });

  it('refuses a command line that cannot work with exit 2', async () => {
    for (const [args, message] of [
      [['token', 'create'], 'ferry token create needs a name'],
      [['token', 'revoke'], 'ferry token revoke needs a token id'],
      [['token', 'list', 'x'], 'ferry token list takes no argument'],
      [['token', 'create', 'ci', '--expires', '30s'], '--expires "30s": expected a lifetime'],
      [['token', 'list', '--expires', '1d'], '--expires goes with "ferry token create"'],
      [['token', 'rotate'], 'unknown token action "rotate"'],
      [['token', 'create', 'ci', '--role', 'root'], '--role "root": expected one of viewer'],
      [['token', 'list', '--env', 'prod'], '--role and --env go with "ferry token create"'],
    ] as const) {
      const run = await ferry(...args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toContain(message);
    }
  });
});
