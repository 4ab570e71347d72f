import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../main.js';
import { deploymentFixture } from '../../test-api-fixtures.js';
import { captureIo, startFakeApi, type FakeApi } from '../../test-api-server.js';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const deployments = [
  deploymentFixture({
    phase: 'RolledBack',
    reason: 'readiness failed',
    finishedAt: '2025-01-02T03:06:00.000Z',
  }),
  deploymentFixture({
    id: 'dep-0',
    version: 'v1',
    phase: 'Succeeded',
    createdAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T00:01:00.000Z',
  }),
];

describe('ferry history', () => {
  it('passes the target and limit and prints a table newest first', async () => {
    api = await startFakeApi(() => ({ json: { deployments } }));
    const out = captureIo();
    const args = ['history', 'web', '--env', 'prod', '--limit', '2', '--server', api.url];
    expect(await main(args, out.io)).toBe(0);
    expect(Object.fromEntries(api.requests[0]?.query ?? [])).toEqual({
      service: 'web',
      environment: 'prod',
      limit: '2',
    });
    expect(out.stdout().split('\n')).toEqual([
      'ID     KIND    VERSION  PHASE       CREATED                   FINISHED                  REASON',
      'dep-1  deploy  v2       RolledBack  2025-01-02T03:04:05.000Z  2025-01-02T03:06:00.000Z  readiness failed',
      'dep-0  deploy  v1       Succeeded   2025-01-01T00:00:00.000Z  2025-01-01T00:01:00.000Z  -',
      '',
    ]);
  });

  it('prints {deployments} with --json', async () => {
    api = await startFakeApi(() => ({ json: { deployments } }));
    const out = captureIo();
    expect(
      await main(['history', 'web', '--env', 'prod', '--json', '--server', api.url], out.io),
    ).toBe(0);
    expect(JSON.parse(out.stdout())).toEqual({ deployments });
  });
});
