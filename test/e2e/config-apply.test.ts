import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { ConstantLoad } from '../../src/demo/constant-load.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { deployHello, eventually, waitForFinal } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';
import { runFerry } from '../support/run-ferry.js';

interface InstanceBody {
  readonly id: string;
  readonly version: string;
  readonly pid: number;
}

interface DeploymentBody {
  readonly id: string;
  readonly version: string;
  readonly phase: string;
}

/** hello's ferry.yaml with HELLO_VERSION set in its environment: what the app answers as. */
function withVersionEnv(yaml: string, answer: string): string {
  return yaml.replace(
    'command: [node, server.js]',
    `command: [node, server.js]\n        env: { HELLO_VERSION: ${answer} }`,
  );
}

describe('changing the configuration of a running server', () => {
  let server: FerryServer | undefined;
  afterEach(async () => {
    await server?.destroy();
    server = undefined;
  });

  const instances = async (s: FerryServer) =>
    (await s.get<{ instances: InstanceBody[] }>('/api/v1/instances?service=hello&environment=prod'))
      .instances;
  const deployments = async (s: FerryServer) =>
    (
      await s.get<{ deployments: DeploymentBody[] }>(
        '/api/v1/deployments?service=hello&environment=prod',
      )
    ).deployments;
  /** What the route answers as (`x-version`), `n` times. */
  const answers = async (port: number, n: number) => {
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      const res = await request(`http://127.0.0.1:${port}/`);
      await res.body.dump();
      seen.add(String(res.headers['x-version']));
    }
    return [...seen].sort();
  };

  it('ferry apply changes replicas and an env var under load without a failed request; an invalid file changes nothing', async () => {
    const routePort = await freePort();
    const base = helloConfig({ routePort, replicas: 1 });
    server = await FerryServer.create(base);
    await server.start();
    expect((await deployHello(server, { version: 'v1' })).phase).toBe('Succeeded');

    const load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 200).start();
    await sleep(1000);
    const file = join(server.dir, 'next.yaml');
    writeFileSync(file, withVersionEnv(helloConfig({ routePort, replicas: 2 }), 'v1-green'));
    const applied = await runFerry(['apply', '-f', file, '--server', server.url], 60_000);
    expect(applied.stderr).toContain('~ service hello: replicas, runtime.local.env.HELLO_VERSION');
    expect(applied.stderr).toContain('hello/prod: rolls its live version out again');
    expect(applied.code).toBe(0);
    const [rollout] = await deployments(server);
    expect(rollout?.version).toBe('v1');
    expect((await waitForFinal(server, rollout!.id)).phase).toBe('Succeeded');
    await sleep(1000);
    const result = await load.stop();

    expect(result.errors).toEqual([]);
    expect(result.non2xx).toBe(0);
    expect(result.versions['v1']).toBeGreaterThan(0);
    expect(result.versions['v1-green']).toBeGreaterThan(0);
    const after = await instances(server);
    expect(after.map((i) => i.version)).toEqual(['v1', 'v1']);
    expect(server.instancePids().sort()).toEqual(after.map((i) => i.pid).sort());
    expect(await answers(routePort, 20)).toEqual(['v1-green']);

    // An invalid file: every problem at file:line:col, exit 1, and nothing changes.
    const bad = join(server.dir, 'bad.yaml');
    writeFileSync(
      bad,
      helloConfig({ routePort, replicas: 2 }).replace('replicas: 2', 'replicas: two'),
    );
    const history = await deployments(server);
    const pids = server.instancePids().sort();
    const rejected = await runFerry(['apply', '-f', bad, '--server', server.url]);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toMatch(new RegExp(`^${bad}:6:15 services\\.hello\\.replicas: `));
    expect(await deployments(server)).toEqual(history);
    expect(server.instancePids().sort()).toEqual(pids);
    expect(await answers(routePort, 10)).toEqual(['v1-green']);
  });

  it('SIGHUP re-reads the file and applies it', async () => {
    const routePort = await freePort();
    server = await FerryServer.create(helloConfig({ routePort, replicas: 1 }));
    await server.start();
    expect((await deployHello(server, { version: 'v1' })).phase).toBe('Succeeded');
    const s = server;
    const before = await deployments(s);

    await s.writeConfig(withVersionEnv(helloConfig({ routePort, replicas: 1 }), 'v1-blue'));
    process.kill(s.pid!, 'SIGHUP');
    const rollout = await eventually(async () => {
      const now = await deployments(s);
      return now.length > before.length ? now[0] : undefined;
    });
    expect((await waitForFinal(s, rollout.id)).phase).toBe('Succeeded');
    expect(await answers(routePort, 10)).toEqual(['v1-blue']);
    expect(s.output.join('')).toContain('~ service hello: runtime.local.env.HELLO_VERSION');

    // An invalid file: logged at file:line:col, the server keeps its configuration.
    const history = await deployments(s);
    const pids = s.instancePids().sort();
    await s.writeConfig(
      helloConfig({ routePort, replicas: 1 }).replace('replicas: 1', 'replicas: x'),
    );
    process.kill(s.pid!, 'SIGHUP');
    await eventually(async () => (s.output.join('').includes('not applied') ? true : undefined));
    expect(s.output.join('')).toMatch(
      new RegExp(`${s.configPath}:6:15 services\\.hello\\.replicas: `),
    );
    expect(await deployments(s)).toEqual(history);
    expect(s.instancePids().sort()).toEqual(pids);
  });

  it('a server started on a changed file rolls what runs to it', async () => {
    const routePort = await freePort();
    server = await FerryServer.create(helloConfig({ routePort, replicas: 1 }));
    await server.start();
    expect((await deployHello(server, { version: 'v1' })).phase).toBe('Succeeded');
    await server.kill('SIGKILL');
    await server.writeConfig(helloConfig({ routePort, replicas: 2 }));
    await server.start();

    const [rollout, first] = await deployments(server);
    expect(rollout?.id).not.toBe(first?.id);
    expect(rollout?.version).toBe('v1');
    expect((await waitForFinal(server, rollout!.id)).phase).toBe('Succeeded');
    expect((await instances(server)).map((i) => i.version)).toEqual(['v1', 'v1']);
  });
});
