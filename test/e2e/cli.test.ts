import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../../src/cli/test-api-server.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { FerryServer } from '../support/ferry-server.js';
import { helloConfig } from '../../src/demo/hello-config.js';

/** The `ferry` CLI against a real server: deploy, history, rollback, logs, events. */
describe('ferry CLI end to end', () => {
  let server: FerryServer;
  let routePort: number;
  const ferry = async (...args: string[]) => {
    const capture = captureIo({ pollIntervalMs: 100 });
    const code = await main([...args, '--server', server.url], capture.io);
    return { code, stdout: capture.stdout(), stderr: capture.stderr() };
  };
  const served = async () => {
    const res = await request(`http://127.0.0.1:${routePort}/`);
    await res.body.dump();
    return res.headers['x-version'];
  };

  beforeAll(async () => {
    routePort = await freePort();
    server = await FerryServer.create(helloConfig({ routePort, replicas: 2 }));
    await server.start();
  });
  afterAll(() => server.destroy());

  it('deploys two versions, rolls back to the first and forward to a named one', async () => {
    for (const version of ['v1', 'v2']) {
      const dir = helloVersion({ version });
      const run = await ferry(
        'deploy',
        'hello',
        '--env',
        'prod',
        '--dir',
        dir,
        '--version',
        version,
      );
      expect(run.code, run.stderr).toBe(0);
    }
    expect(await served()).toBe('v2');

    const back = await ferry('rollback', 'hello', '--env', 'prod');
    expect(back.code, back.stderr).toBe(0);
    expect(back.stderr).toContain(
      'fast rollback to v1 (within rollbackWindow 3): no steps, no analysis\n',
    );
    expect(await served()).toBe('v1');

    const forward = await ferry('rollback', 'hello', '--env', 'prod', '--to', 'v2', '--json');
    expect(forward.code).toBe(0);
    expect(JSON.parse(forward.stdout)).toMatchObject({
      deployment: { kind: 'rollback', version: 'v2' },
    });
    expect(await served()).toBe('v2');

    const history = await ferry('history', 'hello', '--env', 'prod', '--json');
    const { deployments } = JSON.parse(history.stdout) as {
      deployments: { kind: string; version: string; phase: string }[];
    };
    expect(deployments.map((d) => `${d.kind} ${d.version} ${d.phase}`)).toEqual([
      'rollback v2 Succeeded',
      'rollback v1 Succeeded',
      'deploy v2 Succeeded',
      'deploy v1 Succeeded',
    ]);
  });

  it('shows instance logs and the event log', async () => {
    const logs = await ferry('logs', 'hello', '--env', 'prod', '--json');
    expect(logs.code).toBe(0);
    const body = JSON.parse(logs.stdout) as { logs: { id: string; lines: string[] }[] };
    expect(body.logs).toHaveLength(2);

    const events = await ferry('events', '--kind', 'deployment.', '--json');
    const kinds = events.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { kind: string }).kind);
    expect(kinds).toContain('deployment.created');
    expect(kinds).toContain('deployment.succeeded');
  });

  it('says plainly when no server runs', async () => {
    const capture = captureIo();
    const code = await main(
      ['status', '--server', `http://127.0.0.1:${await freePort()}`],
      capture.io,
    );
    expect(code).toBe(1);
    expect(capture.stderr()).toMatch(/no Ferry server at/);
  });
});
