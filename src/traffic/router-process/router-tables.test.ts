import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { projectRoot } from '../../shared/project-root.js';
import { allocatePort } from '../../runtime/local/free-port.js';
import { mountTmpfs, skipOrFail } from '../../../test/support/tmpfs.js';
import { ControlClient } from '../control/control-client.js';
import {
  controlPaths,
  routerTablesPath,
  type RouterHealth,
  type TablesAnswer,
} from '../control/control-protocol.js';
import type { RoutingTable } from '../../features/routing/traffic-router.js';
import {
  json,
  send,
  startUpstream,
  type Echo,
  type TestUpstream,
} from '../router/test-upstreams.js';
import { readRouterState } from './router-state-file.js';
import {
  killGroup,
  removeDataDir,
  startTestRouter,
  testRouterSettings,
  type TestRouter,
} from './test-router-process.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function router(options: { dataDir?: string } = {}): Promise<TestRouter> {
  const started = await startTestRouter({ ...options, workers: 2 });
  cleanups.push(() => started.kill());
  return started;
}

async function upstream(id: string): Promise<TestUpstream> {
  const started = await startUpstream(id);
  cleanups.push(() => started.close());
  return started;
}

const table = (port: number, up: TestUpstream): RoutingTable => ({
  service: 'web',
  environment: 'prod',
  listen: { host: '127.0.0.1', port },
  backends: { stable: [up.upstream] },
});

/** The upstream id a request to the port reaches, or the error code. */
async function reached(port: number): Promise<string> {
  try {
    const response = await send(port);
    return response.status === 200 ? json<Echo>(response).id : `status ${response.status}`;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'error';
  }
}

describe('ferry router tables', () => {
  it('ignores a table or removal older than what it holds for that listener', async () => {
    const { state, dataDir } = await router();
    cleanups.push(() => removeDataDir(dataDir));
    const client = new ControlClient(state);
    cleanups.push(() => client.close());
    const [a, b] = await Promise.all([upstream('a'), upstream('b')]);
    const port = await allocatePort();
    const put = (generation: number, up: TestUpstream) =>
      client.call('PUT', controlPaths.tables, { generation, table: table(port, up) });
    expect(await put(5, b)).toEqual({ applied: true });
    expect(await put(4, a)).toEqual({ applied: false });
    expect(await put(5, a)).toEqual({ applied: false });
    expect(await reached(port)).toBe('b');
    const remove = (generation: number) =>
      client.call('DELETE', controlPaths.tables, {
        generation,
        service: 'web',
        environment: 'prod',
      });
    expect(await remove(3)).toEqual({ applied: false });
    expect(await reached(port)).toBe('b');
    expect(await remove(6)).toEqual({ applied: true });
    expect(await reached(port)).toBe('ECONNREFUSED');
    // The removal is remembered: a late table of generation 5 stays out.
    expect(await put(5, a)).toEqual({ applied: false });
    expect(await reached(port)).toBe('ECONNREFUSED');
    expect(await client.call<RouterHealth>('GET', controlPaths.health)).toMatchObject({
      generation: 6,
    });
  });

  it('answers 400 with the field for a malformed table, and 401 without the token', async () => {
    const { state, dataDir } = await router();
    cleanups.push(() => removeDataDir(dataDir));
    const client = new ControlClient(state);
    cleanups.push(() => client.close());
    await expect(
      client.call('PUT', controlPaths.tables, { generation: 1, table: { service: 'web' } }),
    ).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining('/table/'),
    });
    const stranger = new ControlClient({ ...state, token: 'y'.repeat(32) });
    cleanups.push(() => stranger.close());
    await expect(stranger.call('GET', controlPaths.health)).rejects.toMatchObject({
      code: 'unauthorized',
    });
  });

  it('serves its saved tables after a kill -9, before its control channel answers', async () => {
    const first = await router();
    cleanups.push(() => removeDataDir(first.dataDir));
    const a = await upstream('a');
    const port = await allocatePort();
    await first.remote.apply(table(port, a));
    await first.kill();
    expect(await reached(port)).toBe('ECONNREFUSED');

    const bin = join(projectRoot(), 'bin', 'ferry.js');
    const log = openSync(join(first.dataDir, 'second.log'), 'a');
    const child = spawn(
      process.execPath,
      [
        bin,
        'router',
        '--data',
        first.dataDir,
        '--settings-json',
        JSON.stringify(testRouterSettings(2)),
      ],
      { detached: true, stdio: ['ignore', log, log] },
    );
    closeSync(log);
    cleanups.push(() => killGroup(child.pid!));
    // The route first: it answers while router.json still names the dead router or just after.
    let served = 'ECONNREFUSED';
    for (let i = 0; i < 300 && served !== 'a'; i++) {
      served = await reached(port);
      if (served !== 'a') await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(served).toBe('a');
    let state = readRouterState(first.dataDir);
    for (let i = 0; i < 300 && state?.pid !== child.pid; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      state = readRouterState(first.dataDir);
    }
    const client = new ControlClient(state!);
    cleanups.push(() => client.close());
    const answer = await client.call<TablesAnswer>('GET', controlPaths.tables);
    expect(answer.tables).toEqual([table(port, a)]);
    expect(answer.generation).toBe(1);
  });

  it('applies and serves a change when tables.json cannot be written (disk full), and saves the next once it can', async (ctx) => {
    const tmpfs = mountTmpfs('size=4m');
    if ('why' in tmpfs) return skipOrFail(tmpfs.why, (note) => ctx.skip(note));
    cleanups.push(() => tmpfs.unmount());
    const dataDir = join(tmpfs.dir, 'data');
    const { remote } = await router({ dataDir });
    const [a, b] = await Promise.all([upstream('a'), upstream('b')]);
    const port = await allocatePort();
    await remote.apply(table(port, a));
    const filler = join(tmpfs.dir, 'filler');
    fillDisk(filler);
    // The router's own log is on the full disk too.
    await remote.apply(table(port, b));
    expect(await reached(port)).toBe('b');
    expect(readFileSync(routerTablesPath(dataDir), 'utf8')).toContain('"id":"a"');
    expect(await remote.health()).toMatchObject({ generation: 2 });
    rmSync(filler);
    const other = await allocatePort();
    await remote.apply({ ...table(other, a), service: 'api' });
    expect(await reached(other)).toBe('a');
    const saved = readFileSync(routerTablesPath(dataDir), 'utf8');
    expect(saved).toContain('"id":"b"');
    expect(saved).toContain('"service":"api"');
    expect(existsSync(join(dataDir, 'router', 'router.json'))).toBe(true);
  });
});

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
