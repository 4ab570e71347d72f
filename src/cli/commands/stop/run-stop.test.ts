import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../main.js';
import { captureIo, startFakeApi, type FakeApi } from '../../test-api-server.js';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const stopped = {
  service: 'web',
  environment: 'prod',
  version: 'v3',
  stoppedAt: '2026-01-02T03:04:05.000Z',
  actor: 'user:local',
  noop: false,
};

describe('ferry stop', () => {
  it('asks the server to stop the service and says how to bring it back', async () => {
    api = await startFakeApi(() => ({ json: stopped }));
    const out = captureIo();
    expect(await main(['stop', 'web', '--env', 'prod', '--server', api.url], out.io)).toBe(0);
    expect(api.requests[0]?.path).toBe('/api/v1/services/web/stop');
    expect(JSON.parse(api.requests[0]?.body.toString() ?? '')).toEqual({ environment: 'prod' });
    expect(out.stderr()).toBe(
      'web stopped in prod: its instances have stopped and its route is closed; "ferry start web --env prod" runs v3 again\n',
    );
  });

  it('says since when and by whom it is stopped already; --json prints the result', async () => {
    api = await startFakeApi(() => ({ json: { ...stopped, noop: true } }));
    const out = captureIo();
    const args = ['stop', 'web', '--env', 'prod', '--json', '--server', api.url];
    expect(await main(args, out.io)).toBe(0);
    expect(out.stderr()).toBe(
      'web is already stopped in prod (since 2026-01-02T03:04:05.000Z, by user:local); "ferry start web --env prod" runs v3 again\n',
    );
    expect(JSON.parse(out.stdout())).toEqual({ ...stopped, noop: true });
  });

  it('renders a refusal during a rollout as one line, exit 1', async () => {
    const message =
      'web in prod is already rolling out v4 (dep-9); "ferry rollout abort web --env prod" ends it; then stop';
    api = await startFakeApi(() => ({
      status: 409,
      json: { error: { code: 'deployment_in_progress', message, deploymentId: 'dep-9' } },
    }));
    const out = captureIo();
    expect(await main(['stop', 'web', '--env', 'prod', '--server', api.url], out.io)).toBe(1);
    expect(out.stderr()).toBe(`error: ${message}\n`);
  });
});
