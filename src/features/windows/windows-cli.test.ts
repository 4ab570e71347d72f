import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.js';
import { captureIo } from '../../cli/test-api-server.js';
import { composeFerry, type Ferry } from '../../compose.js';
import { kyselyStores } from '../../composition/kysely-stores.js';
import { parseConfig } from '../../config/load-config.js';
import { ManualClock } from '../../shared/clock.js';
import { openSqlite } from '../../store/open-sqlite.js';
import { FakeInstanceRuntime } from '../instances/fake-instance-runtime.js';
import { FakeTrafficRouter } from '../routing/fake-traffic-router.js';

// Prod frozen from Friday 18:00 Berlin for 62 hours: 2026-12-04T17:00Z to 2026-12-07T07:00Z.
const config = parseConfig(
  `apiVersion: ferry.dev/v1
environments:
  - name: prod
services:
  web:
    runtime:
      local: { command: node server.js }
    routes: { prod: 127.0.0.1:18180 }
windows:
  - name: weekend-freeze
    environments: [prod]
    effect: block
    recurring: { cron: "0 18 * * 5", duration: 62h, timeZone: Europe/Berlin }
  - name: release-freeze
    effect: approval
    between: { from: 2026-12-20T00:00:00Z, to: 2027-01-04T00:00:00Z }
`,
  'ferry.yaml',
);

let dir: string;
let app: string;
let ferry: Ferry | undefined;
let base: string;
let clock: ManualClock;

/** The whole API on a fresh SQLite file, listening on a free port, on Saturday noon in Berlin. */
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-windows-cli-'));
  app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'server.js'), 'console.log("v1")\n');
  clock = new ManualClock(Date.parse('2026-12-05T11:00:00Z'));
  const db = await openSqlite(join(dir, 'ferry.db'));
  ferry = await composeFerry({
    config,
    dataDir: join(dir, 'data'),
    clock,
    logger: pino({ level: 'silent' }),
    parts: {
      stores: kyselyStores(db),
      runtime: new FakeInstanceRuntime(),
      router: new FakeTrafficRouter(),
    },
  });
  await ferry.start();
  await ferry.api.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(ferry.api.server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await ferry?.close();
  ferry = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function ferryCli(...args: string[]) {
  const out = captureIo();
  const code = await main([...args, '--server', base], out.io);
  return { code, stdout: out.stdout(), stderr: out.stderr() };
}

const deploy = (...extra: string[]) =>
  ferryCli(
    'deploy',
    'web',
    '--env',
    'prod',
    '--dir',
    app,
    '--version',
    'v1',
    '--no-wait',
    ...extra,
  );

describe('ferry deploy --emergency against a server in a freeze', () => {
  it('is refused without it, naming the window and its end; passes with it, flagged in history and events', async () => {
    const refused = await deploy();
    expect(refused.code).toBe(1);
    expect(refused.stderr.trimEnd().split('\n').at(-1)).toBe(
      'error: prod is frozen by weekend-freeze until 2026-12-07T08:00:00+01:00 (Europe/Berlin); --emergency "reason" passes a window (recorded and flagged), never a gate',
    );

    const passed = await deploy('--emergency', 'CVE-2026-1234 hotfix');
    expect(passed.code, passed.stderr).toBe(0);

    const history = await ferryCli('history', 'web', '--env', 'prod');
    expect(history.stdout).toContain('EMERGENCY: CVE-2026-1234 hotfix');
    const json = await ferryCli('history', 'web', '--env', 'prod', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({
      deployments: [{ version: 'v1', emergency: { reason: 'CVE-2026-1234 hotfix' } }],
    });
    const events = await ferryCli('events', '--json');
    // One JSON event per line.
    const created = events.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string; payload: object })
      .filter((e) => e.kind === 'deployment.created');
    expect(created.map((e) => e.payload)).toEqual([
      expect.objectContaining({ version: 'v1', emergency: { reason: 'CVE-2026-1234 hotfix' } }),
    ]);
  });

  it('needs a reason: a blank one is a usage error, and a 400 from the API', async () => {
    const blank = await deploy('--emergency', '  ');
    expect(blank.code).toBe(2);
    expect(blank.stderr).toBe(
      'error: --emergency needs a reason, e.g. --emergency "CVE-2026-1234 hotfix"\n',
    );
    const res = await request(`${base}/api/v1/deployments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        service: 'web',
        environment: 'prod',
        version: 'v1',
        emergency: { reason: ' ' },
      }),
    });
    expect(res.statusCode).toBe(400);
    expect(await res.body.json()).toMatchObject({ error: { code: 'invalid_request' } });
  });

  it('lists the windows with whether each is in force now, until when; and ferry env shows prod frozen', async () => {
    const windows = async () => {
      const res = await request(`${base}/api/v1/windows`);
      return ((await res.body.json()) as { windows: object[] }).windows;
    };
    expect(await windows()).toEqual([
      {
        name: 'weekend-freeze',
        environments: ['prod'],
        effect: 'block',
        recurring: { cron: '0 18 * * 5', durationMs: 62 * 3_600_000, timeZone: 'Europe/Berlin' },
        between: null,
        active: true,
        endsAt: '2026-12-07T07:00:00.000Z',
        timeZone: 'Europe/Berlin',
      },
      {
        name: 'release-freeze',
        environments: null,
        effect: 'approval',
        recurring: null,
        between: { from: '2026-12-20T00:00:00.000Z', to: '2027-01-04T00:00:00.000Z' },
        active: false,
        endsAt: null,
        timeZone: 'UTC',
      },
    ]);
    const env = await ferryCli('env');
    expect(env.stdout).toContain('prod (frozen: weekend-freeze until 2026-12-07T07:00:00.000Z)');

    clock.set(Date.parse('2026-12-07T07:00:00Z'));
    expect((await windows()).map((w) => w)).toEqual([
      expect.objectContaining({ name: 'weekend-freeze', active: false, endsAt: null }),
      expect.objectContaining({ name: 'release-freeze', active: false }),
    ]);
    expect((await deploy()).code).toBe(0);
  });
});
