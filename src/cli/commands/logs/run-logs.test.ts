import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../main.js';
import { deploymentFixture, instanceFixture } from '../../test-api-fixtures.js';
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
    expect(api.requests.find((r) => r.path.endsWith('/logs'))?.query.get('lines')).toBe('2');
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

  it('shows starting instances with their last readiness probe result', async () => {
    api = await startFakeApi((r) => {
      if (r.path === '/api/v1/instances') {
        const probe = 'GET /healthz → 404, 3 times';
        return { json: { instances: [instanceFixture({ phase: 'starting', probe })] } };
      }
      return routes(r);
    });
    const out = captureIo();
    expect(await main(['logs', 'web', '--env', 'prod', '--server', api.url], out.io)).toBe(0);
    expect(out.stderr()).toBe(
      'web-prod-1 (v2) starting: readiness probe GET /healthz → 404, 3 times\n',
    );
    expect(out.stdout()).toContain('web-prod-1 bye');
  });

  it('includes the stopped instances of a failed latest deployment', async () => {
    api = await startFakeApi((r) => {
      if (r.path === '/api/v1/deployments') {
        return { json: { deployments: [deploymentFixture({ phase: 'Aborted' })] } };
      }
      if (r.path === '/api/v1/instances' && r.query.get('deployment') === 'dep-1') {
        const failed = instanceFixture({ id: 'web-prod-9', intent: 'stopped', phase: 'unknown' });
        return { json: { instances: [failed] } };
      }
      if (r.path === '/api/v1/instances') return { json: { instances: [] } };
      return routes(r);
    });
    const out = captureIo();
    expect(await main(['logs', 'web', '--env', 'prod', '--server', api.url], out.io)).toBe(0);
    expect(out.stderr()).toBe('web-prod-9 (v2) stopped: see its last lines\n');
    expect(out.stdout()).toBe('web-prod-9 hello from web-prod-9\nweb-prod-9 bye\n');
  });

  it('prints new lines as they come with --follow, until interrupted', async () => {
    let polls = 0;
    api = await startFakeApi((r) => {
      if (r.path === '/api/v1/instances') return { json: { instances: [instanceFixture()] } };
      if (r.path.endsWith('/logs')) {
        polls += 1;
        const lines = ['one', 'two', 'three'].slice(0, Math.min(polls, 3));
        return { json: { id: 'web-prod-1', lines } };
      }
      return undefined;
    });
    const controller = new AbortController();
    const out = captureIo({ signal: controller.signal });
    const done = main(['logs', 'web', '--env', 'prod', '-f', '--server', api.url], out.io);
    const deadline = Date.now() + 20_000;
    while (!out.stdout().includes('three') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    controller.abort();
    expect(await done).toBe(0);
    expect(out.stdout()).toBe('web-prod-1 one\nweb-prod-1 two\nweb-prod-1 three\n');
  });
});
