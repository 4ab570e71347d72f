import { chmodSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { deployHello } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';
import { runFerry } from '../support/run-ferry.js';
import { stopRouter } from '../../src/server/stop-router.js';
import { describePortHolder } from '../../src/traffic/router/port-holder.js';

async function status(url: string): Promise<number> {
  const res = await request(url);
  await res.body.dump();
  return res.statusCode;
}

/**
 * Listens on `port` to keep it from Ferry. A process that was just SIGKILLed may hold it a moment
 * longer on a loaded machine: tried for up to 10 s, then fails naming the holder.
 */
async function hold(port: number): Promise<Server> {
  for (const deadline = Date.now() + 10_000; ; await sleep(100)) {
    const blocker = createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        blocker.once('error', reject);
        blocker.listen(port, '127.0.0.1', resolve);
      });
      return blocker;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || Date.now() > deadline)
        throw new Error(`cannot hold port ${port}: held ${describePortHolder(port)}`, {
          cause: error,
        });
    }
  }
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
    // The router outlives the server and holds the route: it goes too (as after a reboot), so
    // the next server must start one, and another process takes the port meanwhile.
    await stopRouter(server.dataDir);
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

/** Files under `dir` that any user can read: the file is o+r and every folder on the way o+x. */
function worldReadable(dir: string): string[] {
  const found: string[] = [];
  const walk = (path: string) => {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      if ((stat.mode & 0o001) === 0) return;
      for (const entry of readdirSync(path)) walk(join(path, entry));
    } else if (stat.mode & 0o004) found.push(path);
  };
  walk(dir);
  return found;
}

function modeOf(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}

describe('the data folder is private', () => {
  let server: FerryServer | undefined;
  afterEach(async () => {
    await server?.destroy();
    server = undefined;
  });

  it('keeps secrets of runtime.local.env out of world-readable files, and fixes modes of an old folder', async () => {
    const secret = 'sup3r-s3cret-value';
    const config = helloConfig({ routePort: await freePort(), replicas: 1 }).replace(
      '        command: [node, server.js]\n',
      `        command: [node, server.js]\n        env: { API_KEY: "${secret}" }\n`,
    );
    server = await FerryServer.create(config);
    await server.start();
    await deployHello(server, { version: 'v1' });
    const data = server.dataDir;
    const contains = (path: string) => readFileSync(path).includes(secret);
    // The secret is stored (the deployment's spec) but only where no other user can read it.
    expect(['ferry.db', 'ferry.db-wal'].some((name) => contains(join(data, name)))).toBe(true);
    expect(worldReadable(data).filter(contains)).toEqual([]);
    const logDir = join(data, 'logs', 'hello', 'prod');
    const log = join(logDir, readdirSync(logDir)[0]!);
    const blobDir = join(data, 'artifacts', 'sha256');
    const blob = join(blobDir, readdirSync(blobDir)[0]!);
    const modes = () => ({
      data: modeOf(data),
      db: modeOf(join(data, 'ferry.db')),
      wal: modeOf(join(data, 'ferry.db-wal')),
      lock: modeOf(join(data, 'ferry.lock')),
      logs: modeOf(join(data, 'logs')),
      log: modeOf(log),
      artifacts: modeOf(join(data, 'artifacts')),
      blob: modeOf(blob),
      router: modeOf(join(data, 'router')),
      routerLog: modeOf(join(data, 'router', 'router.log')),
      routerState: modeOf(join(data, 'router', 'router.json')),
      tables: modeOf(join(data, 'router', 'tables.json')),
    });
    const private_ = {
      data: '711',
      db: '600',
      wal: '600',
      lock: '600',
      logs: '700',
      log: '600',
      artifacts: '700',
      blob: '600',
      router: '700',
      routerLog: '600',
      routerState: '600',
      tables: '600',
    };
    expect(modes()).toEqual(private_);

    // A data folder left readable (by an older Ferry, or by hand) is made private at start.
    await server.kill('SIGKILL');
    chmodSync(data, 0o755);
    const router = join(data, 'router');
    for (const path of [join(data, 'ferry.db'), log, blob, join(router, 'router.log')])
      chmodSync(path, 0o644);
    for (const path of [join(data, 'logs'), join(data, 'artifacts'), router])
      chmodSync(path, 0o755);
    await server.start();
    expect(modes()).toEqual(private_);
  });
});
