import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../main.js';
import { deploymentFixture } from '../../test-api-fixtures.js';
import { captureIo, startFakeApi, type FakeApi } from '../../test-api-server.js';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const rollback = deploymentFixture({ id: 'dep-9', kind: 'rollback', version: 'v1' });

describe('ferry rollback', () => {
  it('asks for the named version and follows the rollback to Succeeded', async () => {
    api = await startFakeApi((r) => {
      if (r.method === 'POST' && r.path === '/api/v1/rollbacks') {
        return { status: 201, json: { deployment: rollback, noop: false } };
      }
      if (r.path === '/api/v1/deployments/dep-9') {
        return { json: { ...rollback, phase: 'Succeeded' } };
      }
      return undefined;
    });
    const out = captureIo();
    const code = await main(
      ['rollback', 'web', '--env', 'prod', '--to', 'v1', '--server', api.url],
      out.io,
    );
    expect(code).toBe(0);
    expect(JSON.parse(api.requests[0]?.body.toString() ?? '')).toEqual({
      service: 'web',
      environment: 'prod',
      toVersion: 'v1',
    });
    expect(out.stderr()).toContain('rollback web to v1 in prod: Succeeded\n');
  });

  it('leaves toVersion out when --to is not given, and prints {deployment, noop} with --json', async () => {
    api = await startFakeApi(() => ({ status: 201, json: { deployment: rollback, noop: false } }));
    const out = captureIo();
    const args = ['rollback', 'web', '--env', 'prod', '--no-wait', '--json', '--server', api.url];
    expect(await main(args, out.io)).toBe(0);
    expect(JSON.parse(api.requests[0]?.body.toString() ?? '')).toEqual({
      service: 'web',
      environment: 'prod',
    });
    expect(JSON.parse(out.stdout())).toEqual({ deployment: rollback, noop: false });
  });

  it('sends force with --force (past an applied contract migration)', async () => {
    api = await startFakeApi(() => ({ status: 201, json: { deployment: rollback, noop: false } }));
    const out = captureIo();
    const args = ['rollback', 'web', '--env', 'prod', '--to', 'v1', '--force', '--no-wait'];
    expect(await main([...args, '--server', api.url], out.io)).toBe(0);
    expect(JSON.parse(api.requests[0]?.body.toString() ?? '')).toEqual({
      service: 'web',
      environment: 'prod',
      toVersion: 'v1',
      force: true,
    });
  });

  it('says a rollback within rollbackWindow is fast, and one outside goes through the strategy', async () => {
    const fast = { ...rollback, rollback: { fast: true, window: 3, strategy: 'canary' as const } };
    api = await startFakeApi(() => ({ status: 201, json: { deployment: fast, noop: false } }));
    const out = captureIo();
    const args = ['rollback', 'web', '--env', 'prod', '--no-wait', '--server', api.url];
    expect(await main(args, out.io)).toBe(0);
    expect(out.stderr()).toContain(
      'fast rollback to v1 (within rollbackWindow 3): no steps, no analysis\n' +
        'rollback web to v1 in prod: started deployment dep-9\n',
    );
    await api.close();

    const slow = {
      ...rollback,
      version: 'v0',
      rollback: { fast: false, window: 1, strategy: 'canary' as const },
    };
    api = await startFakeApi(() => ({ status: 201, json: { deployment: slow, noop: false } }));
    const outside = captureIo();
    expect(
      await main(
        ['rollback', 'web', '--env', 'prod', '--no-wait', '--server', api.url],
        outside.io,
      ),
    ).toBe(0);
    expect(outside.stderr()).toContain(
      'rollback to v0 through the canary strategy: outside rollbackWindow 1\n',
    );
  });

  it('exits 1 on a 404 with the server message', async () => {
    api = await startFakeApi(() => ({
      status: 404,
      json: {
        error: { code: 'not_found', message: 'no earlier version of web in prod to roll back to' },
      },
    }));
    const out = captureIo();
    expect(await main(['rollback', 'web', '--env', 'prod', '--server', api.url], out.io)).toBe(1);
    expect(out.stderr()).toBe('error: no earlier version of web in prod to roll back to\n');
  });
});
