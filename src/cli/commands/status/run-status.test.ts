import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../main.js';
import { serviceFixture } from '../../test-api-fixtures.js';
import { captureIo, startFakeApi, type FakeApi } from '../../test-api-server.js';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const worker = serviceFixture({
  name: 'worker',
  environments: [
    { environment: 'prod', listen: null, replicas: 1, live: null, active: null, instances: [] },
  ],
});

describe('ferry status', () => {
  it('prints one row per service and environment', async () => {
    api = await startFakeApi(() => ({ json: { services: [serviceFixture(), worker] } }));
    const out = captureIo();
    expect(await main(['status', '--server', api.url], out.io)).toBe(0);
    expect(out.stdout()).toBe(
      [
        'SERVICE  ENV   LIVE  ROLLOUT         READY  LISTEN',
        'web      prod  v1    v2 Progressing  1/2    127.0.0.1:8080',
        'worker   prod  -     -               0/0    -',
        '',
      ].join('\n'),
    );
  });

  it('prints the API body unchanged with --json', async () => {
    api = await startFakeApi(() => ({ json: { services: [serviceFixture(), worker] } }));
    const out = captureIo();
    expect(await main(['status', '--json', '--server', api.url], out.io)).toBe(0);
    expect(JSON.parse(out.stdout())).toEqual({ services: [serviceFixture(), worker] });
    expect(out.stderr()).toBe('');
  });

  it('asks for one service when named', async () => {
    api = await startFakeApi((r) =>
      r.path === '/api/v1/services/web' ? { json: serviceFixture() } : undefined,
    );
    const out = captureIo();
    expect(await main(['status', 'web', '--json', '--server', api.url], out.io)).toBe(0);
    expect(JSON.parse(out.stdout())).toEqual(serviceFixture());
  });
});
