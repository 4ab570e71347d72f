import { createServer, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { deployHello } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';
import { runFerry } from '../support/run-ferry.js';

async function status(url: string): Promise<number> {
  const res = await request(url);
  await res.body.dump();
  return res.statusCode;
}

async function hold(port: number): Promise<Server> {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
  return blocker;
}

describe('one server per data folder', () => {
  let server: FerryServer | undefined;
  let blocker: Server | undefined;
  afterEach(async () => {
    blocker?.close();
    await server?.destroy();
    server = blocker = undefined;
  });

  it('a second server on the same data folder exits 1 within 2 s, naming the first one, and starts nothing', async () => {
    const routePort = await freePort();
    server = await FerryServer.create(helloConfig({ routePort, replicas: 2 }));
    await server.start();
    await deployHello(server, { version: 'v1' });
    const pids = server.instancePids().sort();
    expect(pids).toHaveLength(2);

    const args = ['server', '-f', server.configPath, '--data', server.dataDir];
    // What loading the CLI costs on this machine right now (much of 2 s on a loaded one).
    const cliStartMs = (await runFerry(['--help'])).ms;
    const second = await runFerry([...args, '--listen', `127.0.0.1:${await freePort()}`]);
    expect(second.code).toBe(1);
    expect(second.ms).toBeLessThan(2_000 + cliStartMs);
    expect(second.stderr).toBe(
      `error: data folder ${server.dataDir} is in use by another ferry server (pid ${server.pid}); stop it first, or pass another --data\n`,
    );
    // No instance started or stopped, and the first server still serves.
    await sleep(1_000);
    expect(server.instancePids().sort()).toEqual(pids);
    expect(await status(`http://127.0.0.1:${routePort}/`)).toBe(200);
    expect(await status(`${server.url}/readyz`)).toBe(200);
  });

  it('a server that cannot bind its API exits 1 at once and leaves nothing running', async () => {
    const apiPort = await freePort();
    blocker = await hold(apiPort);
    server = await FerryServer.create(helloConfig({ routePort: await freePort() }));
    const run = await runFerry(
      [
        'server',
        '-f',
        server.configPath,
        '--data',
        server.dataDir,
        '--listen',
        `127.0.0.1:${apiPort}`,
      ],
      10_000,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `^error: cannot listen on 127\\.0\\.0\\.1:${apiPort} for the API \\(--listen\\) \\(EADDRINUSE, held by pid ${process.pid} \\(\\S+\\)\\): stop what holds it, or choose another address\\n$`,
      ),
    );
  });

  it('a server that cannot bind a route it serves exits 1 at once and leaves the instances alone', async () => {
    const routePort = await freePort();
    server = await FerryServer.create(helloConfig({ routePort, replicas: 2 }));
    await server.start();
    await deployHello(server, { version: 'v1' });
    const pids = server.instancePids().sort();
    await server.kill('SIGKILL');
    blocker = await hold(routePort);

    const run = await runFerry(
      [
        'server',
        '-f',
        server.configPath,
        '--data',
        server.dataDir,
        '--listen',
        `127.0.0.1:${server.port}`,
      ],
      10_000,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `^error: cannot listen on 127\\.0\\.0\\.1:${routePort} for the route of hello/prod \\(EADDRINUSE, held by pid ${process.pid} .*\\n$`,
      ),
    );
    expect(server.instancePids().sort()).toEqual(pids);
  });
});
