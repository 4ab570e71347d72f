import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../main.js';
import { instanceFixture } from '../../test-api-fixtures.js';
import { captureIo, startFakeApi, type FakeApi, type FakeRoutes } from '../../test-api-server.js';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const routes: FakeRoutes = (r) => {
  if (r.path === '/api/v1/instances') {
    return { json: { instances: [instanceFixture(), instanceFixture({ id: 'web-prod-2' })] } };
  }
  const match = /^\/api\/v1\/instances\/([^/]+)\/logs$/.exec(r.path);
  if (match) return { json: { id: match[1], lines: [`hello from ${match[1]}`, 'bye'] } };
  return undefined;
};

describe('ferry logs', () => {
  it("prefixes each line of every live instance with the instance's id", async () => {
    api = await startFakeApi(routes);
    const out = captureIo();
    const args = ['logs', 'web', '--env', 'prod', '--lines', '2', '--server', api.url];
    expect(await main(args, out.io)).toBe(0);
    expect(Object.fromEntries(api.requests[0]?.query ?? [])).toEqual({
      service: 'web',
      environment: 'prod',
    });
    expect(api.requests[1]?.query.get('lines')).toBe('2');
    expect(out.stdout()).toBe(
      [
        'web-prod-1 hello from web-prod-1',
        'web-prod-1 bye',
        'web-prod-2 hello from web-prod-2',
        'web-prod-2 bye',
        '',
      ].join('\n'),
    );
  });

  it('reads one instance with --instance and prints {logs} with --json', async () => {
    api = await startFakeApi(routes);
    const out = captureIo();
    expect(
      await main(['logs', '--instance', 'web-prod-2', '--json', '--server', api.url], out.io),
    ).toBe(0);
    expect(JSON.parse(out.stdout())).toEqual({
      logs: [{ id: 'web-prod-2', lines: ['hello from web-prod-2', 'bye'] }],
    });
  });

  it('exits 2 without --env for a service', async () => {
    const out = captureIo();
    expect(await main(['logs', 'web'], out.io)).toBe(2);
    expect(out.stderr()).toBe("error: required option '--env <environment>' not specified\n");
  });

  it('exits 2 with neither a service nor --instance', async () => {
    const out = captureIo();
    expect(await main(['logs'], out.io)).toBe(2);
    expect(out.stderr()).toBe('error: missing <service> (or --instance <id>)\n');
  });
});
