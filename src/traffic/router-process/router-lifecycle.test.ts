import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Pool } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { allocatePort } from '../../runtime/local/free-port.js';
import { projectRoot } from '../../shared/project-root.js';
import { routerStatePath } from '../control/control-protocol.js';
import { startUpstream, type TestUpstream } from '../router/test-upstreams.js';
import { processAlive } from './router-state-file.js';
import {
  removeDataDir,
  startTestRouter,
  waitGone,
  type TestRouter,
} from './test-router-process.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function router(): Promise<TestRouter> {
  const started = await startTestRouter({ workers: 2 });
  cleanups.push(() => removeDataDir(started.dataDir));
  cleanups.push(() => started.kill());
  return started;
}

async function upstream(id: string): Promise<TestUpstream> {
  const started = await startUpstream(id);
  cleanups.push(() => started.close());
  return started;
}

const ferry = (...args: string[]) =>
  promisify(execFile)(process.execPath, [join(projectRoot(), 'bin', 'ferry.js'), ...args]);

describe('ferry router process', () => {
  it('upgrades its workers under keep-alive load without failing a request', async () => {
    const { remote } = await router();
    const a = await upstream('a');
    const port = await allocatePort();
    await remote.apply({
      service: 'web',
      environment: 'prod',
      listen: { host: '127.0.0.1', port },
      backends: { stable: [a.upstream] },
    });
    const before = (await remote.health()).workers;
    const window = remote.sampler.open('web', 'prod');
    await window.opened;
    const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 4, keepAliveTimeout: 30_000 });
    cleanups.push(() => pool.close());
    let ok = 0;
    const failures: string[] = [];
    let running = true;
    // 4 clients, ~50 requests a second each, on kept-alive connections.
    const loops = Array.from({ length: 4 }, async () => {
      while (running) {
        try {
          const response = await pool.request({ path: '/', method: 'GET' });
          await response.body.text();
          if (response.statusCode === 200) ok++;
          else failures.push(`status ${response.statusCode}`);
        } catch (error) {
          failures.push((error as NodeJS.ErrnoException).code ?? (error as Error).message);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const after = await remote.upgrade();
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    running = false;
    await Promise.all(loops);
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(100);
    expect(after).toHaveLength(2);
    for (const pid of after) expect(before).not.toContain(pid);
    expect((await remote.health()).workers).toEqual(after);
    // The old workers' counts stay in the router's figures and in the window opened before.
    expect((await remote.figures('web', 'prod')).tracks.stable?.requests).toBe(ok);
    expect((await window.read()).stable?.requests).toBe(ok);
    expect(await waitGone(before)).toBe(true);
  });

  it('exits by itself when its router.json is deleted', async () => {
    const { state, dataDir } = await router();
    rmSync(routerStatePath(dataDir));
    expect(await waitGone([state.pid], 15_000)).toBe(true);
  });

  it('stops with "ferry router stop", and says when no router runs', async () => {
    const { state, dataDir, remote } = await router();
    const { workers } = await remote.health();
    const { stderr } = await ferry('router', 'stop', '--data', dataDir);
    expect(stderr).toContain(`stopped (pid ${state.pid})`);
    expect(processAlive(state.pid)).toBe(false);
    expect(await waitGone(workers)).toBe(true);
    await expect(ferry('router', 'stop', '--data', dataDir)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining(`no router runs for ${dataDir}`),
    });
  });

  it('prints the fresh worker pids on "ferry router upgrade"', async () => {
    const { dataDir, remote } = await router();
    const { workers } = await remote.health();
    const { stdout } = await ferry('router', 'upgrade', '--data', dataDir);
    const fresh = stdout.trim().split('\n').map(Number);
    expect(fresh).toHaveLength(2);
    expect((await remote.health()).workers).toEqual(fresh);
    for (const pid of fresh) expect(workers).not.toContain(pid);
  });

  it('refuses to start a second router on the same data folder', async () => {
    const { state, dataDir } = await router();
    await expect(ferry('router', '--data', dataDir)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining(`a router already runs for ${dataDir} (pid ${state.pid})`),
    });
    expect(processAlive(state.pid)).toBe(true);
  });

  it('closes its listeners and exits on SIGTERM, its workers with it', async () => {
    const { state, remote } = await router();
    const { workers } = await remote.health();
    const exited = new Promise<number | null>((resolve) => {
      const check = setInterval(() => {
        if (!processAlive(state.pid)) {
          clearInterval(check);
          resolve(null);
        }
      }, 50);
    });
    process.kill(state.pid, 'SIGTERM');
    await exited;
    expect(await waitGone(workers)).toBe(true);
  });
});
