import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../../src/cli/test-api-server.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { FerryServer } from '../support/ferry-server.js';

/**
 * A real server on the wall clock with prod frozen for decades: a deploy is refused naming the
 * window, `--emergency` passes it and is flagged in the history, and a rollback goes through.
 */
describe('a freeze on a real server', { timeout: 240_000 }, () => {
  let server: FerryServer;
  const v1 = helloVersion({ version: 'v1' });
  const v2 = helloVersion({ version: 'v2' });

  const ferry = async (...args: string[]) => {
    const capture = captureIo({ pollIntervalMs: 100 });
    const code = await main([...args, '--server', server.url], capture.io);
    return { code, stdout: capture.stdout(), stderr: capture.stderr() };
  };

  beforeAll(async () => {
    const port = await freePort();
    server = await FerryServer.create(`apiVersion: ferry.dev/v1
environments:
  - name: prod
services:
  hello:
    replicas: 1
    runtime:
      local: { command: node server.js }
    routes: { prod: 127.0.0.1:${port} }
    health:
      readiness: { path: /healthz, interval: 500ms, timeout: 2s, failureThreshold: 3 }
    strategy: { rolling: {} }
windows:
  - name: long-freeze
    environments: [prod]
    effect: block
    between: { from: 2020-01-01T00:00:00Z, to: 2100-01-01T00:00:00+01:00 }
`);
    await server.start();
  });

  afterAll(async () => {
    await server?.destroy();
  });

  it('refuses a deploy, lets an emergency through flagged, and lets a rollback through', async () => {
    const deploy = (dir: string, version: string, ...extra: string[]) =>
      ferry('deploy', 'hello', '--env', 'prod', '--dir', dir, '--version', version, ...extra);
    const refused = await deploy(v1, 'v1');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'error: prod is frozen by long-freeze until 2099-12-31T23:00:00Z (UTC)',
    );
    expect((await deploy(v1, 'v1', '--emergency', 'first light')).code).toBe(0);
    const second = await deploy(v2, 'v2', '--emergency', 'hotfix');
    expect(second.code, second.stderr).toBe(0);
    const rollback = await ferry('rollback', 'hello', '--env', 'prod');
    expect(rollback.code, rollback.stderr).toBe(0);

    const history = await ferry('history', 'hello', '--env', 'prod', '--json');
    const { deployments } = JSON.parse(history.stdout) as {
      deployments: { kind: string; version: string; emergency?: { reason: string } }[];
    };
    expect(deployments.map((d) => [d.kind, d.version, d.emergency?.reason ?? null])).toEqual([
      ['rollback', 'v1', null],
      ['deploy', 'v2', 'hotfix'],
      ['deploy', 'v1', 'first light'],
    ]);
    const windows = await server.get<{ windows: { name: string; active: boolean }[] }>(
      '/api/v1/windows',
    );
    expect(windows.windows).toMatchObject([{ name: 'long-freeze', active: true }]);
  });
});
