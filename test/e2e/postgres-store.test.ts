import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../../src/cli/test-api-server.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { deployHello, eventually } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';
import {
  createPostgresDatabase,
  postgresUnavailable,
  type PostgresDatabase,
} from '../support/postgres.js';
import { getRollout, waitForPhase } from '../support/rollout.js';
import { runFerry } from '../support/run-ferry.js';
import { skipOrFail } from '../support/tmpfs.js';

/**
 * `ferry server --store postgres://...`: the same server on a PostgreSQL database of its own. A
 * canary paused for a person survives a SIGKILL of the server, and a restart on the same database
 * carries it on to the end.
 */
describe('ferry server on a PostgreSQL store', () => {
  let server: FerryServer | undefined;
  let database: PostgresDatabase | undefined;
  afterEach(async () => {
    await server?.destroy();
    await database?.drop();
    server = undefined;
    database = undefined;
  });

  it('keeps a paused canary across a SIGKILL and promotes it to the end', async (ctx) => {
    const unavailable = await postgresUnavailable();
    if (unavailable !== undefined) return skipOrFail(unavailable, (note) => ctx.skip(note));
    database = await createPostgresDatabase();
    const routePort = await freePort();
    server = await FerryServer.create(
      helloConfig({
        routePort,
        replicas: 2,
        strategy: '      canary:\n        steps: [{ setWeight: 50 }, { pause: {} }]',
      }),
    );
    const store = ['--store', database.url];
    await server.start(store);
    const ferry = async (...args: string[]) => {
      const capture = captureIo({ pollIntervalMs: 100 });
      const code = await main([...args, '--server', server!.url], capture.io);
      return { code, stderr: capture.stderr() };
    };
    const deploy = (version: string) =>
      ferry(
        'deploy',
        'hello',
        '--env',
        'prod',
        '--dir',
        helloVersion({ version }),
        '--version',
        version,
      );

    const v1 = await deploy('v1');
    expect(v1.code, v1.stderr).toBe(0);
    // v2 is a canary that pauses at 50 % for a person: `ferry deploy` exits 3.
    const v2 = await deploy('v2');
    expect(v2.code, v2.stderr).toBe(3);
    const paused = await waitForPhase(server, 'Paused', 1);

    await server.kill('SIGKILL');
    await server.start(store);

    // Same deployment, same step; the restored router splits traffic as before the kill.
    const after = await waitForPhase(server, 'Paused', 1);
    expect(after.deployment).toMatchObject({
      id: paused.deployment?.id,
      version: 'v2',
      phase: 'Paused',
      reason: paused.deployment?.reason,
    });
    expect(after.steps).toEqual(paused.steps);
    await eventually(
      async () => ((await getRollout(server!)).traffic?.canaryWeight === 50 ? true : undefined),
      30_000,
      'the canary weight of 50 after the restart',
    );

    const promote = await ferry('rollout', 'promote', 'hello', '--env', 'prod', '--wait');
    expect(promote.code, promote.stderr).toBe(0);
    const done = await waitForPhase(server, 'Succeeded');
    expect(done.deployment?.version).toBe('v2');
    await eventually(
      async () => {
        const res = await request(`http://127.0.0.1:${routePort}/`).catch(() => undefined);
        await res?.body.dump();
        return res?.headers['x-version'] === 'v2' ? true : undefined;
      },
      30_000,
      'the route to answer from v2',
    );
    // Only the database moved: the deployments are rows in PostgreSQL, the data folder has no
    // ferry.db but keeps the artifacts.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const rows = await client.query<{ version: string; phase: string }>(
      'select version, phase from deployments order by created_at',
    );
    await client.end();
    expect(rows.rows).toEqual([
      { version: 'v1', phase: 'Succeeded' },
      { version: 'v2', phase: 'Succeeded' },
    ]);
    expect(existsSync(join(server.dataDir, 'ferry.db'))).toBe(false);
    expect(readdirSync(server.dataDir)).toContain('artifacts');
  });

  const serve = (s: FerryServer, store: string) =>
    runFerry([
      'server',
      '-f',
      s.configPath,
      '--data',
      s.dataDir,
      '--listen',
      '127.0.0.1:0',
      '--store',
      store,
    ]);

  it('names a store it cannot reach and what to do, without its password', async () => {
    server = await FerryServer.create(helloConfig({ routePort: await freePort() }));
    const port = await freePort();
    const result = await serve(server, `postgres://ferry:s3cret@127.0.0.1:${port}/ferry`);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^error: PostgreSQL store postgres://ferry@127\\.0\\.0\\.1:${port}/ferry cannot be reached \\([^\\n]*ECONNREFUSED[^\\n]*\\): start PostgreSQL or fix the host and port in --store \\(or FERRY_STORE\\)\\n$`,
      ),
    );
  });

  it('refuses a database without deployments while instances of the folder run, and kills none', async (ctx) => {
    const unavailable = await postgresUnavailable();
    if (unavailable !== undefined) return skipOrFail(unavailable, (note) => ctx.skip(note));
    database = await createPostgresDatabase();
    server = await FerryServer.create(helloConfig({ routePort: await freePort(), replicas: 1 }));
    await server.start(['--store', database.url]);
    await deployHello(server, { version: 'v1' });
    const pids = server.instancePids();
    expect(pids).toHaveLength(1);
    await server.kill('SIGKILL');

    const other = await createPostgresDatabase();
    try {
      const result = await serve(server, other.url);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `error: PostgreSQL store ${other.url} has no deployments, but 1 instance process of this data folder still run (pid ${pids[0]}): pass the --store this data folder used, or stop them (kill ${pids[0]}) and start again\n`,
      );
      expect(server.instancePids()).toEqual(pids);
    } finally {
      await other.drop();
    }
  });
});
