import { closeSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { packDirectory } from '../../src/features/artifacts/pack-directory.js';
import { deployHello, startDeploy, waitForFinal } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';
import { waitForPhase } from '../support/rollout.js';
import { cpuSeconds, mountTmpfs, skipOrFail } from '../support/tmpfs.js';

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

async function status(url: string): Promise<number> {
  const res = await request(url, { headersTimeout: 5_000, bodyTimeout: 5_000 });
  await res.body.dump();
  return res.statusCode;
}

describe('a full data disk', () => {
  let server: FerryServer | undefined;
  let unmount: (() => void) | undefined;
  afterEach(async () => {
    await server?.destroy();
    unmount?.();
    server = unmount = undefined;
  });

  it('slows the server down but does not stop it; the rollout resumes once space is back', async (ctx) => {
    const tmpfs = mountTmpfs('size=24m');
    if ('why' in tmpfs) return skipOrFail(tmpfs.why, (note) => ctx.skip(note));
    unmount = tmpfs.unmount;
    const routePort = await freePort();
    server = await FerryServer.create(helloConfig({ routePort, replicas: 2, strategy: canary }), {
      dataDir: join(tmpfs.dir, 'data'),
    });
    await server.start();
    await deployHello(server, { version: 'v1' });
    const v2 = await startDeploy(server, 'hello', 'prod', 'v2', helloVersion({ version: 'v2' }));
    await waitForPhase(server, 'Progressing', 1);

    // The disk fills while the rollout waits: the end of the pause has to be written.
    const filler = join(tmpfs.dir, 'filler');
    fillDisk(filler);
    const pid = server.pid!;
    const outputBefore = server.output.join('').length;
    const cpuBefore = cpuSeconds(pid);
    const windowMs = 10_000;
    const started = Date.now();
    while (Date.now() - started < windowMs) {
      // The router serves with its current table and the API answers.
      expect(await status(`http://127.0.0.1:${routePort}/`)).toBe(200);
      expect(await status(`${server.url}/healthz`)).toBe(200);
      expect(await status(`${server.url}/api/v1/deployments/${v2.id}`)).toBe(200);
      await sleep(250);
    }
    const cpu = cpuSeconds(pid) - cpuBefore;
    const logged = server.output.join('').length - outputBefore;
    // Generous bounds: a busy loop uses most of a core and writes megabytes.
    expect(cpu).toBeLessThan((windowMs / 1000) * 0.35);
    expect(logged).toBeLessThan(16 * 1024);
    expect(server.output.join('')).toMatch(/disk is full/);

    // An upload on the full disk: 507, and no partial file.
    const upload = await request(`${server.url}/api/v1/artifacts/hello/v3`, {
      method: 'PUT',
      headers: { 'content-type': 'application/gzip' },
      body: await packDirectory(helloVersion({ version: 'v3' })),
    });
    expect(upload.statusCode).toBe(507);
    expect(((await upload.body.json()) as { error: { code: string } }).error.code).toBe(
      'insufficient_storage',
    );
    const blobs = readdirSync(join(server.dataDir, 'artifacts', 'sha256'));
    expect(blobs.filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(blobs).toHaveLength(2);

    rmSync(filler);
    const final = await waitForFinal(server, v2.id, 60_000);
    expect(final.phase).toBe('Succeeded');
    expect(await status(`http://127.0.0.1:${routePort}/`)).toBe(200);
  });
});
