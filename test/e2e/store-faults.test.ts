import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { deployHello } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';
import { runFerry } from '../support/run-ferry.js';
import { stopRouter } from '../../src/server/stop-router.js';
import { mountTmpfs, skipOrFail } from '../support/tmpfs.js';

describe('store faults get one line naming the file and what to do', () => {
  let server: FerryServer | undefined;
  let unmount: (() => void) | undefined;
  afterEach(async () => {
    await server?.destroy();
    unmount?.();
    server = unmount = undefined;
  });

  async function create(dataDir?: string): Promise<FerryServer> {
    server = await FerryServer.create(helloConfig({ routePort: await freePort(), replicas: 1 }), {
      ...(dataDir ? { dataDir } : {}),
    });
    return server;
  }

  function run(s: FerryServer) {
    return runFerry(['server', '-f', s.configPath, '--data', s.dataDir, '--listen', '127.0.0.1:0']);
  }

  it('a read-only data folder', async (ctx) => {
    const tmpfs = mountTmpfs('size=8m');
    if ('why' in tmpfs) return skipOrFail(tmpfs.why, (note) => ctx.skip(note));
    unmount = tmpfs.unmount;
    const s = await create(tmpfs.dir);
    await s.start();
    await s.kill('SIGTERM');
    // The router outlives the server and keeps its log open for writing, which a remount as
    // read-only refuses: it goes too, as after a reboot that mounts the disk read-only.
    await stopRouter(s.dataDir);
    execFileSync('mount', ['-o', 'remount,ro', tmpfs.dir]);
    const result = await run(s);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: data folder ${tmpfs.dir} is on a read-only file system: make it a writable folder, or pass another --data\n`,
    );
  });

  it('a ferry.db that is not a database', async () => {
    const s = await create();
    mkdirSync(s.dataDir, { recursive: true });
    writeFileSync(join(s.dataDir, 'ferry.db'), 'not a database\n'.repeat(1000));
    const result = await run(s);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: ${join(s.dataDir, 'ferry.db')} is damaged or not a Ferry database (file is not a database): restore it from a backup, or move it away to start with an empty store\n`,
    );
  });

  it('a truncated ferry.db', async () => {
    const s = await create();
    await s.start();
    await s.kill('SIGTERM');
    const file = join(s.dataDir, 'ferry.db');
    truncateSync(file, Math.floor(readFileSync(file).length / 2));
    const result = await run(s);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^error: ${file} is damaged or not a Ferry database \\([^\\n]+\\): restore it from a backup, or move it away to start with an empty store\\n$`,
      ),
    );
  });

  it('a YAML alias bomb in ferry.yaml', async () => {
    const s = await create();
    const levels = 'abcdefghi'.split('');
    const lines = levels.map((name, i) =>
      i === 0
        ? `${name}: &${name} [x, x, x, x, x, x, x, x, x]`
        : `${name}: &${name} [${Array(9)
            .fill(`*${levels[i - 1]}`)
            .join(', ')}]`,
    );
    writeFileSync(s.configPath, ['apiVersion: ferry.dev/v1', ...lines, ''].join('\n'));
    const result = await run(s);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^${s.configPath}:3:\\d+ \\(yaml\\): aliases expand to too many values \\([^\\n]*\\); write the values out or use fewer aliases\\n$`,
      ),
    );
  });

  it('refuses to start on a missing ferry.db while instances of the folder run, and kills none', async () => {
    const s = await create();
    await s.start();
    await deployHello(s, { version: 'v1' });
    const pids = s.instancePids();
    expect(pids).toHaveLength(1);
    await s.kill('SIGKILL');
    for (const suffix of ['', '-wal', '-shm'])
      rmSync(join(s.dataDir, `ferry.db${suffix}`), { force: true });

    const result = await run(s);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: ${join(s.dataDir, 'ferry.db')} is missing, but 1 instance process of this data folder still run (pid ${pids[0]}): restore ferry.db from a backup, or stop them (kill ${pids[0]}) and start again\n`,
    );
    expect(s.instancePids()).toEqual(pids);
  });
});
