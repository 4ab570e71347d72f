import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../../src/cli/test-api-server.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { FerryServer } from '../support/ferry-server.js';

type Env = Record<string, string | undefined>;

/**
 * Roles through the CLI on a real `ferry server` listening beyond loopback: a viewer and a
 * deployer scoped to staging cannot deploy to prod, each refusal reads as one line, and the audit
 * log, readable by an admin only, shows who tried what.
 */
describe('roles and the audit log on a real server', () => {
  let server: FerryServer;
  const configHome = mkdtempSync(join(tmpdir(), 'ferry-roles-config-'));

  const ferry = async (args: string[], env: Env = {}) => {
    const capture = captureIo({
      pollIntervalMs: 100,
      env: { XDG_CONFIG_HOME: configHome, ...env },
    });
    const code = await main([...args, '--server', server.url], capture.io);
    return { code, stdout: capture.stdout(), stderr: capture.stderr() };
  };

  beforeAll(async () => {
    const routePort = await freePort();
    server = await FerryServer.create(helloConfig({ routePort, replicas: 1 }));
    await server.start(['--listen', `0.0.0.0:${server.port}`]);
  });
  afterAll(() => server.destroy());

  it('refuses a viewer and a staging deployer on prod with 403, and audits both', async () => {
    const match = /^bootstrap admin token .*: (ferry_\S+)$/m.exec(server.output.join(''));
    const admin = { FERRY_TOKEN: match?.[1] };
    const create = async (...args: string[]) => {
      const run = await ferry(['token', 'create', ...args], admin);
      expect(run.code, run.stderr).toBe(0);
      return run.stdout.trim();
    };
    const viewer = await create('eyes', '--role', 'viewer');
    const deployer = await create('ci', '--role', 'deployer', '--env', 'staging', '--env', 'dev');

    const dir = helloVersion({ version: 'v1' });
    const deploy = ['deploy', 'hello', '--env', 'prod', '--dir', dir, '--version', 'v1'];
    const byViewer = await ferry(deploy, { FERRY_TOKEN: viewer });
    expect(byViewer.code).not.toBe(0);
    expect(byViewer.stderr).toContain('a viewer token lacks the "publish" permission');
    expect(byViewer.stderr.trim().split('\n')).toHaveLength(1);

    const byDeployer = await ferry(deploy, { FERRY_TOKEN: deployer });
    expect(byDeployer.code).not.toBe(0);
    expect(byDeployer.stderr).toContain('this token is not scoped to environment "prod"');

    const notAdmin = await ferry(['audit'], { FERRY_TOKEN: deployer });
    expect(notAdmin.code).not.toBe(0);
    expect(notAdmin.stderr).toContain('lacks the "audit" permission');

    const audit = await ferry(['audit', '--json', '--since', '1h'], admin);
    expect(audit.code, audit.stderr).toBe(0);
    const { entries } = JSON.parse(audit.stdout) as {
      entries: { actorName: string | null; action: string; status: number; errorCode: string }[];
    };
    const refused = entries
      .filter((e) => e.actorName === 'eyes' || e.actorName === 'ci')
      .map((e) => [e.actorName, e.action, e.status, e.errorCode]);
    expect(refused).toContainEqual([
      'eyes',
      'PUT /api/v1/artifacts/:service/:version',
      403,
      'forbidden',
    ]);
    // `ferry deploy` uploads for its environment first (`?environment=prod`): refused there.
    expect(refused).toContainEqual([
      'ci',
      'PUT /api/v1/artifacts/:service/:version',
      403,
      'forbidden',
    ]);
    expect(entries.filter((e) => e.action === 'POST /api/v1/tokens')).toHaveLength(2);

    const table = await ferry(['audit', '--actor', 'ci'], admin);
    expect(table.stdout).toMatch(
      /ci \(token:tok-\S+\)\s+PUT \/api\/v1\/artifacts\/:service\/:version\s+hello prod v1\s+403 forbidden/,
    );
  });
});
