import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConstantLoad } from '../../src/demo/constant-load.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { deployHello, startDeploy, waitForFinal } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';
import { routerPid } from '../support/router-process.js';
import { shareOver, waitForPhase } from '../support/rollout.js';
import { mountTmpfs, skipOrFail } from '../support/tmpfs.js';

const canary = `      canary:
        steps:
          - setWeight: 50
          - pause: { duration: 5s }
`;

/** Writes zeros to `file` until the disk refuses; the disk is then full. */
function fillDisk(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

describe('a data disk that fills during a rollout', () => {
  let server: FerryServer | undefined;
  let load: ConstantLoad | undefined;
  let unmount: (() => void) | undefined;
  afterEach(async () => {
    await load?.stop();
    await server?.destroy();
    unmount?.();
    server = load = unmount = undefined;
  });

  it('leaves the router serving every request, through a server restart, until space is back and the rollout ends', async (ctx) => {
    const tmpfs = mountTmpfs('size=24m');
    if ('why' in tmpfs) return skipOrFail(tmpfs.why, (note) => ctx.skip(note));
    unmount = tmpfs.unmount;
    const routePort = await freePort();
    server = await FerryServer.create(helloConfig({ routePort, replicas: 2, strategy: canary }), {
      dataDir: join(tmpfs.dir, 'data'),
    });
    await server.start();
    await deployHello(server, { version: 'v1' });
    load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 100).start();
    const v2 = await startDeploy(server, 'hello', 'prod', 'v2', helloVersion({ version: 'v2' }));
    await waitForPhase(server, 'Progressing', 1);
    const router = routerPid(server);

    const filler = join(tmpfs.dir, 'filler');
    fillDisk(filler);
    // Both versions keep answering at the canary's split on the full disk.
    const full = await shareOver(load, 'v2', 8_000);
    expect(full.total).toBeGreaterThanOrEqual(600);
    expect(Math.abs(full.share - 0.5)).toBeLessThanOrEqual(0.1);

    // The server dies on the full disk: the router goes on alone.
    await server.kill('SIGKILL');
    const alone = await shareOver(load, 'v2', 3_000);
    expect(Math.abs(alone.share - 0.5)).toBeLessThanOrEqual(0.15);

    rmSync(filler);
    await server.start();
    expect(routerPid(server)).toBe(router);
    expect((await waitForFinal(server, v2.id, 60_000)).phase).toBe('Succeeded');
    expect((await shareOver(load, 'v2', 1_000)).share).toBe(1);
    const result = await load.stop();
    load = undefined;
    expect(result.errors).toEqual([]);
    expect(result.non2xx).toBe(0);
  });
});
