import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../../src/cli/test-api-server.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { packDirectory } from '../../src/features/artifacts/pack-directory.js';
import { FerryServer } from '../support/ferry-server.js';

const config = (devPort: number, prodPort: number) => `apiVersion: ferry.dev/v1
environments:
  - name: dev
  - name: prod
artifacts:
  retention: { keep: 2 }
services:
  hello:
    replicas: 1
    runtime:
      local:
        command: [node, server.js]
    routes:
      dev: 127.0.0.1:${devPort}
      prod: 127.0.0.1:${prodPort}
    health:
      readiness: { path: /healthz, interval: 200ms, timeout: 1s, failureThreshold: 2 }
    strategy:
      rolling: { maxSurge: 1, maxUnavailable: 0 }
    drainTimeout: 2s
    rollbackWindow: { revisions: 0 }
`;

interface Collected {
  readonly version: string;
  readonly digest: string;
  readonly action: string;
  readonly reasons: readonly { kind: string }[];
  readonly blobRemoved: boolean;
}

/** CI's road: push without deploying, deploy a pushed version, see where it ran, collect the rest. */
describe('ferry artifact push, deploy --version, show and gc against a real server', () => {
  let server: FerryServer;
  let devPort: number;
  const ferry = async (...args: string[]) => {
    const capture = captureIo({ pollIntervalMs: 100 });
    const code = await main([...args, '--server', server.url], capture.io);
    return { code, stdout: capture.stdout(), stderr: capture.stderr() };
  };
  const blobOf = (digest: string) =>
    join(server.dataDir, 'artifacts', 'sha256', `${digest.slice(7)}.tar.gz`);

  beforeAll(async () => {
    devPort = await freePort();
    server = await FerryServer.create(config(devPort, await freePort()));
    await server.start();
  });
  afterAll(() => server.destroy());

  it('pushes folders and a tarball with metadata; the same bytes again change nothing', async () => {
    for (const version of ['v1', 'v2', 'v3', 'v4']) {
      const run = await ferry(
        'artifact',
        'push',
        'hello',
        helloVersion({ version }),
        '--version',
        version,
      );
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^pushed hello ${version} sha256:[0-9a-f]{64} \\(`));
    }
    const tarball = join(server.dir, 'v5.tar.gz');
    writeFileSync(tarball, await packDirectory(helloVersion({ version: 'v5' })));
    const pushed = await ferry(
      'artifact',
      'push',
      'hello',
      tarball,
      '--version',
      'v5',
      '--commit',
      'abc123',
      '--branch',
      'feature/ü',
      '--build-url',
      'https://ci.example/run/5',
      '--meta',
      'pr=42',
      '--meta',
      'builder=gha',
      '--json',
    );
    expect(pushed.code, pushed.stderr).toBe(0);
    const { artifact, created } = JSON.parse(pushed.stdout);
    expect(created).toBe(true);
    expect(artifact).toMatchObject({
      version: 'v5',
      sourceCommit: 'abc123',
      branch: 'feature/ü',
      buildUrl: 'https://ci.example/run/5',
      meta: { pr: '42', builder: 'gha' },
    });

    const again = await ferry('artifact', 'push', 'hello', tarball, '--version', 'v5');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe(
      `hello v5 ${artifact.digest} (${(artifact.sizeBytes / 1024).toFixed(1)} KiB) was already pushed with the same bytes: nothing changed\n`,
    );
    const other = await ferry(
      'artifact',
      'push',
      'hello',
      helloVersion({ version: 'x' }),
      '--version',
      'v5',
    );
    expect(other.code).toBe(1);
    expect(other.stderr).toBe(
      `error: version "v5" of hello is already ${artifact.digest}; choose a new version label for different content\n`,
    );
    const bad = await ferry(
      'artifact',
      'push',
      'hello',
      tarball,
      '--version',
      'v6',
      '--build-url',
      'ftp://x',
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      'error: invalid build metadata: buildUrl: expected an http or https URL of at most 2048 characters\n',
    );
  });

  it('deploys a pushed version without --dir, and names how to push an unknown one', async () => {
    const missing = await ferry('deploy', 'hello', '--env', 'dev', '--version', 'v9');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      'error: no artifact hello v9: push it first with "ferry artifact push hello <dir|tarball> --version v9"\n',
    );
    for (const version of ['v2', 'v1']) {
      const run = await ferry('deploy', 'hello', '--env', 'dev', '--version', version);
      expect(run.code, run.stderr).toBe(0);
    }
    const res = await request(`http://127.0.0.1:${devPort}/`);
    await res.body.dump();
    expect(res.headers['x-version']).toBe('v1');
  });

  it('shows where an artifact ran, its deployments and gates', async () => {
    const show = await ferry('artifact', 'show', 'hello', 'v1', '--json');
    expect(show.code, show.stderr).toBe(0);
    const view = JSON.parse(show.stdout);
    expect(view).toMatchObject({
      version: 'v1',
      liveIn: ['dev'],
      environments: [{ environment: 'dev', live: true, latest: { phase: 'Succeeded' } }],
      deployments: [{ environment: 'dev', phase: 'Succeeded', kind: 'deploy' }],
    });
    const text = await ferry('artifact', 'show', 'hello', 'v1');
    expect(text.stdout).toContain('live in:  dev\n');
    expect(text.stdout).toMatch(/\n {2}dev +Succeeded +deploy +\S+ +dep\S+ +live\n/);
    const list = await ferry('artifact', 'list', 'hello');
    const lines = list.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^VERSION +DIGEST +SIZE +COMMIT +BRANCH +CREATED +RAN IN +GATES$/);
    expect(lines.map((l) => l.split(/ +/)[0])).toEqual(['VERSION', 'v5', 'v4', 'v3', 'v2', 'v1']);
    expect(lines[5]).toMatch(/ dev live +\S+$/);
  });

  it('gc keeps the newest two and the live one, says why, and deletes the rest with their blobs', async () => {
    const dry = await ferry('artifact', 'gc', '--dry-run', '--json');
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout) as { artifacts: Collected[] };
    const verdict = (list: readonly Collected[]) =>
      Object.fromEntries(list.map((a) => [a.version, [a.action, ...a.reasons.map((r) => r.kind)]]));
    expect(verdict(plan.artifacts)).toEqual({
      v5: ['keep', 'newest'],
      v4: ['keep', 'newest'],
      v3: ['delete'],
      v2: ['delete'],
      v1: ['keep', 'live', 'promotable'],
    });
    for (const a of plan.artifacts) expect(existsSync(blobOf(a.digest))).toBe(true);
    const releaseOf = (version: string) => {
      const digest = plan.artifacts.find((a) => a.version === version)!.digest;
      return join(server.dataDir, 'releases', 'hello', 'dev', digest.slice(7, 23));
    };
    expect(existsSync(releaseOf('v2'))).toBe(true);
    const dryText = await ferry('artifact', 'gc', '--dry-run');
    expect(dryText.stdout).toMatch(
      /\nhello +v1 +\S+ +\S+ KiB +keep +live in dev; promotable from dev to prod\n/,
    );
    expect(dryText.stdout).toMatch(
      /\nhello +v3 +\S+ +\S+ KiB +would delete +beyond retention; blob removed\n/,
    );
    expect(dryText.stderr).toMatch(
      /^dry run: 2 of 5 artifacts would be deleted \(.*\); nothing changed\n$/,
    );

    const run = await ferry('artifact', 'gc', '--service', 'hello');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^deleted 2 of 5 artifacts \(.*\) and 1 unpacked release\n$/);
    expect(existsSync(releaseOf('v2'))).toBe(false);
    expect(existsSync(releaseOf('v1'))).toBe(true);
    for (const a of plan.artifacts) {
      expect(existsSync(blobOf(a.digest)), a.version).toBe(a.action === 'keep');
    }
    const list = await ferry('artifact', 'list', 'hello', '--json');
    expect(JSON.parse(list.stdout).artifacts.map((a: { version: string }) => a.version)).toEqual([
      'v5',
      'v4',
      'v1',
    ]);
    const events = await server.get<{ events: { kind: string; payload: { version: string } }[] }>(
      '/api/v1/events?kind=artifact.deleted',
    );
    expect(events.events.map((e) => e.payload.version).sort()).toEqual(['v2', 'v3']);
    expect(readdirSync(join(server.dataDir, 'artifacts', 'sha256'))).toHaveLength(3);
    const gone = await ferry('deploy', 'hello', '--env', 'dev', '--version', 'v2');
    expect(gone.stderr).toContain('error: no artifact hello v2: push it first');

    const again = await ferry('artifact', 'gc', '--json');
    expect(
      JSON.parse(again.stdout).artifacts.filter((a: Collected) => a.action === 'delete'),
    ).toEqual([]);
  });
});
