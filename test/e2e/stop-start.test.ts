import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../../src/cli/test-api-server.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { eventually } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';

interface InstanceBody {
  readonly id: string;
  readonly pid: number | null;
}

/**
 * `ferry stop` and `ferry start` against a real server: the route stops listening and the
 * instances end; a restarted server keeps it stopped; start or a deploy brings it back.
 */
describe('ferry stop and ferry start', () => {
  let server: FerryServer;
  let prodPort: number;
  const v1 = helloVersion({ version: 'v1' });
  const v2 = helloVersion({ version: 'v2' });
  const ferry = async (...args: string[]) => {
    const capture = captureIo({ pollIntervalMs: 100 });
    const code = await main([...args, '--server', server.url], capture.io);
    return { code, stdout: capture.stdout(), stderr: capture.stderr() };
  };
  const deploy = (env: string, dir: string, version: string) =>
    ferry('deploy', 'hello', '--env', env, '--dir', dir, '--version', version);
  /** The version prod's route answers with, or `refused` when nothing listens. */
  const served = async () => {
    try {
      const res = await request(`http://127.0.0.1:${prodPort}/`);
      await res.body.dump();
      return res.headers['x-version'];
    } catch (error) {
      return (error as { code?: string }).code === 'ECONNREFUSED' ? 'refused' : String(error);
    }
  };
  const prodInstances = async () =>
    (
      await server.get<{ instances: InstanceBody[] }>(
        '/api/v1/instances?service=hello&environment=prod',
      )
    ).instances;
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  beforeAll(async () => {
    prodPort = await freePort();
    const stagingPort = await freePort();
    // prod and staging; a canary that waits at 50 % for a person, so a rollout can be caught.
    const config = helloConfig({
      routePort: prodPort,
      replicas: 2,
      strategy: '      canary:\n        steps: [{ setWeight: 50 }, { pause: {} }]',
    })
      .replace('  - name: prod\n', '  - name: staging\n  - name: prod\n    from: null\n')
      .replace(
        `      prod: 127.0.0.1:${prodPort}\n`,
        `      prod: 127.0.0.1:${prodPort}\n      staging: 127.0.0.1:${stagingPort}\n`,
      );
    server = await FerryServer.create(config);
    await server.start();
  });
  afterAll(() => server.destroy());

  it('says in one line what to do when there is nothing to roll back to', async () => {
    expect((await deploy('prod', v1, 'v1')).code).toBe(0);
    const rollback = await ferry('rollback', 'hello', '--env', 'prod');
    expect(rollback.code).toBe(1);
    expect(rollback.stderr).toBe(
      'error: hello has no earlier successful deployment in prod to roll back to: deploy another version first; "ferry rollback" then goes back to v1\n',
    );
  });

  it('stops: the route refuses connections and the instances are gone', async () => {
    const before = await prodInstances();
    expect(before).toHaveLength(2);
    const stop = await ferry('stop', 'hello', '--env', 'prod');
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stderr).toBe(
      'hello stopped in prod: its instances have stopped and its route is closed; "ferry start hello --env prod" runs v1 again\n',
    );
    expect(await served()).toBe('refused');
    expect(await prodInstances()).toEqual([]);
    expect(before.filter((i) => i.pid !== null && alive(i.pid))).toEqual([]);
    const status = await ferry('status');
    expect(status.stdout).toMatch(/hello +prod +v1 \(stopped\) +- +0\/0/);
    const again = await ferry('stop', 'hello', '--env', 'prod');
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('hello is already stopped in prod');
  });

  it('stays stopped across a server restart', async () => {
    await server.kill('SIGTERM');
    await server.start();
    // A deploy elsewhere that goes live shows the restarted controller has reconciled all along.
    expect((await deploy('staging', v1, 'v1')).code).toBe(0);
    expect(await prodInstances()).toEqual([]);
    expect(await served()).toBe('refused');
  });

  it('starts the version it ran last again', async () => {
    const start = await ferry('start', 'hello', '--env', 'prod');
    expect(start.code, start.stderr).toBe(0);
    expect(start.stderr).toContain('hello v1 is live in prod');
    expect(await served()).toBe('v1');
    expect(await prodInstances()).toHaveLength(2);
    const again = await ferry('start', 'hello', '--env', 'prod');
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('hello v1 is already live in prod');
  });

  it('refuses to stop during a rollout, and starts the stable version after an abort', async () => {
    expect((await deploy('prod', v2, 'v2')).code).toBe(3);
    const stop = await ferry('stop', 'hello', '--env', 'prod');
    expect(stop.code).toBe(1);
    expect(stop.stderr).toMatch(
      /^error: hello in prod is already rolling out v2 \(dep-[^)]+\); "ferry rollout abort hello --env prod" ends it; then stop\n$/,
    );
    expect(await eventually(async () => ((await served()) === 'v2' ? true : undefined))).toBe(true);
    expect((await ferry('rollout', 'abort', 'hello', '--env', 'prod')).code).toBe(0);
    expect((await ferry('stop', 'hello', '--env', 'prod')).code).toBe(0);
    expect(await served()).toBe('refused');
    const retry = await ferry('rollout', 'retry', 'hello', '--env', 'prod');
    expect(retry.stderr).toBe(
      'error: cannot retry hello in prod: it is stopped; "ferry start hello --env prod" runs it again\n',
    );
    expect((await ferry('start', 'hello', '--env', 'prod')).code).toBe(0);
    expect(await served()).toBe('v1');
  });

  it('comes back with a deploy after a stop, a new version or the same one', async () => {
    expect((await ferry('stop', 'hello', '--env', 'prod')).code).toBe(0);
    const rollback = await ferry('rollback', 'hello', '--env', 'prod');
    expect(rollback.stderr).toContain('error: hello is stopped in prod: "ferry start hello');
    // Nothing runs to compare a canary with: the new version starts straight away.
    const deployV2 = await deploy('prod', v2, 'v2');
    expect(deployV2.code, deployV2.stderr).toBe(0);
    expect(await served()).toBe('v2');

    expect((await ferry('stop', 'hello', '--env', 'prod')).code).toBe(0);
    const same = await deploy('prod', v2, 'v2');
    expect(same.code).toBe(0);
    expect(same.stderr).not.toContain('already live');
    expect(await served()).toBe('v2');

    const events = await server.get<{ events: { kind: string; actor: string }[] }>(
      '/api/v1/events?kind=service.&limit=50',
    );
    expect(events.events.map((e) => e.kind)).toEqual([
      'service.stopped',
      'service.started',
      'service.stopped',
      'service.started',
      'service.stopped',
      'service.started',
      'service.stopped',
      'service.started',
    ]);
  });
});
