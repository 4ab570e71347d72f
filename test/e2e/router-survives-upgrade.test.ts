import { afterEach, describe, expect, it } from 'vitest';
import { ConstantLoad } from '../../src/demo/constant-load.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { deployHello } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';
import { routerHealth } from '../support/router-process.js';
import { shareOver } from '../support/rollout.js';

describe('ferry server --upgrade', () => {
  let server: FerryServer | undefined;
  let load: ConstantLoad | undefined;
  afterEach(async () => {
    await load?.stop();
    await server?.destroy();
    server = load = undefined;
  });

  it('replaces the adopted router’s workers under load without a failed request', async () => {
    const routePort = await freePort();
    server = await FerryServer.create(
      `${helloConfig({ routePort, replicas: 2 })}router:\n  workers: 2\n`,
    );
    await server.start();
    await deployHello(server, { version: 'v1' });
    const before = await routerHealth(server);
    expect(before.workers).toHaveLength(2);
    load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 200).start();
    await shareOver(load, 'v1', 1_000);

    await server.kill('SIGTERM');
    await server.start(['--upgrade']);
    await shareOver(load, 'v1', 2_000);

    const after = await routerHealth(server);
    // Same router process, fresh workers.
    expect(after.pid).toBe(before.pid);
    expect(after.workers).toHaveLength(2);
    expect(after.workers.filter((pid) => before.workers.includes(pid))).toEqual([]);
    const result = await load.stop();
    load = undefined;
    expect(result.sent).toBeGreaterThan(0);
    expect(result.errors).toEqual([]);
    expect(result.non2xx).toBe(0);
    expect(Object.keys(result.versions)).toEqual(['v1']);
  });
});
