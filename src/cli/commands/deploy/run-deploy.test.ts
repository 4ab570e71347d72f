import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Deployment } from '../../api-types.js';
import { main } from '../../main.js';
import { artifactFixture, deploymentFixture, serviceFixture } from '../../test-api-fixtures.js';
import { captureIo, startFakeApi, type FakeApi, type FakeRoutes } from '../../test-api-server.js';

let dir: string;
let api: FakeApi | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-cli-deploy-'));
  await writeFile(join(dir, 'server.js'), 'console.log("hi")\n');
});

afterEach(async () => {
  await api?.close();
  api = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** The API of a rollout that goes through `phases`, one per poll. */
function rolloutApi(
  phases: readonly Deployment['phase'][],
  reason: string | null = null,
): FakeRoutes {
  let polls = 0;
  return (r) => {
    if (r.method === 'PUT' && r.path === '/api/v1/artifacts/web/v2') {
      return { status: 201, json: artifactFixture() };
    }
    if (r.method === 'POST' && r.path === '/api/v1/deployments') {
      return { status: 201, json: { deployment: deploymentFixture(), noop: false } };
    }
    if (r.path === '/api/v1/deployments/dep-1') {
      const phase = phases[Math.min(polls++, phases.length - 1)] ?? 'Progressing';
      const final = phase !== 'Progressing' && phase !== 'RollingBack';
      return {
        json: deploymentFixture({
          phase,
          reason: final ? reason : null,
          finishedAt: final ? '2025-01-02T03:05:00.000Z' : null,
        }),
      };
    }
    if (r.path === '/api/v1/services/web') return { json: serviceFixture() };
    return undefined;
  };
}

const deployArgs = () => ['deploy', 'web', '--env', 'prod', '--dir', dir, '--version', 'v2'];

describe('ferry deploy', () => {
  it('uploads the folder, starts the rollout and exits 0 once it succeeds', async () => {
    api = await startFakeApi(rolloutApi(['Progressing', 'Succeeded']));
    const out = captureIo();
    expect(await main([...deployArgs(), '--server', api.url], out.io)).toBe(0);

    const [put, post] = api.requests;
    expect(put?.headers['content-type']).toBe('application/gzip');
    // The server refuses an unknown environment before it reads the upload.
    expect(put?.query.get('environment')).toBe('prod');
    expect(gunzipSync(put?.body ?? Buffer.alloc(0)).toString('latin1')).toContain('server.js');
    expect(JSON.parse(post?.body.toString() ?? '')).toEqual({
      service: 'web',
      environment: 'prod',
      version: 'v2',
    });
    expect(out.stderr().split('\n')).toEqual([
      `artifact web v2 ${'ab'.repeat(6)} (2.0 KiB)`,
      'deploy web v2 to prod: started deployment dep-1',
      'deploy web v2 to prod: Progressing',
      'deploy web v2 to prod: Succeeded',
      'web v2 is live in prod',
      '',
    ]);
    expect(out.stdout()).toBe('');
  });

  it('exits 1 with the reason when the rollout is rolled back', async () => {
    api = await startFakeApi(
      rolloutApi(['Progressing', 'RollingBack', 'RolledBack'], 'readiness failed on web-prod-3'),
    );
    const out = captureIo();
    expect(await main([...deployArgs(), '--server', api.url], out.io)).toBe(1);
    expect(out.stderr()).toContain('deploy web v2 to prod: RollingBack\n');
    expect(out.stderr()).toMatch(
      /error: deploy web v2 to prod was rolled back: readiness failed on web-prod-3\n$/,
    );
  });

  it('prints only {artifact, deployment, noop} on stdout with --json', async () => {
    api = await startFakeApi(rolloutApi(['Succeeded']));
    const out = captureIo();
    expect(await main([...deployArgs(), '--json', '--server', api.url], out.io)).toBe(0);
    const printed = JSON.parse(out.stdout()) as Record<string, unknown>;
    expect(Object.keys(printed)).toEqual(['artifact', 'deployment', 'noop']);
    expect(printed).toMatchObject({
      artifact: { digest: `sha256:${'ab'.repeat(32)}` },
      deployment: { id: 'dep-1', phase: 'Succeeded', finishedAt: '2025-01-02T03:05:00.000Z' },
      noop: false,
    });
  });

  it('names the rollback it superseded, on stderr and in --json', async () => {
    const routes = rolloutApi(['Succeeded']);
    api = await startFakeApi((r) =>
      r.method === 'POST' && r.path === '/api/v1/deployments'
        ? {
            status: 201,
            json: {
              deployment: deploymentFixture(),
              noop: false,
              superseded: { id: 'dep-0', version: 'v1' },
            },
          }
        : routes(r),
    );
    const out = captureIo();
    expect(await main([...deployArgs(), '--json', '--server', api.url], out.io)).toBe(0);
    expect(out.stderr()).toContain(
      'deploy web v2 to prod: started deployment dep-1\n' +
        'it supersedes deployment dep-0, which was rolling v1 back: that one ended Failed\n',
    );
    const printed = JSON.parse(out.stdout()) as Record<string, unknown>;
    expect(printed['superseded']).toEqual({ id: 'dep-0', version: 'v1' });
  });

  it('redraws one status line with readiness on a terminal', async () => {
    api = await startFakeApi(rolloutApi(['Progressing', 'Succeeded']));
    const out = captureIo({ isTTY: true });
    expect(await main([...deployArgs(), '--server', api.url], out.io)).toBe(0);
    expect(out.stderr()).toContain('\r\x1b[2Kdeploy web v2 to prod: Progressing, 1/2 ready');
    expect(out.stderr()).toContain('\r\x1b[2Kdeploy web v2 to prod: Succeeded, 1/2 ready\n');
  });

  it('returns at once with --no-wait', async () => {
    api = await startFakeApi(rolloutApi(['Progressing']));
    const out = captureIo();
    expect(await main([...deployArgs(), '--no-wait', '--server', api.url], out.io)).toBe(0);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PUT /api/v1/artifacts/web/v2',
      'POST /api/v1/deployments',
    ]);
  });

  it('says so and exits 0 when the version is already live', async () => {
    api = await startFakeApi((r) =>
      r.method === 'PUT'
        ? { status: 200, json: artifactFixture() }
        : { json: { deployment: deploymentFixture({ phase: 'Succeeded' }), noop: true } },
    );
    const out = captureIo();
    expect(await main([...deployArgs(), '--server', api.url], out.io)).toBe(0);
    expect(out.stderr()).toMatch(/web v2 is already live in prod\n$/);
  });

  it('names the live label when the same bytes are live under another version', async () => {
    api = await startFakeApi((r) =>
      r.method === 'PUT'
        ? { status: 201, json: artifactFixture() }
        : {
            json: {
              deployment: deploymentFixture({ version: 'v1', phase: 'Succeeded' }),
              noop: true,
            },
          },
    );
    const out = captureIo();
    expect(await main([...deployArgs(), '--server', api.url], out.io)).toBe(0);
    expect(out.stderr()).toMatch(/web v2 is already live in prod \(same artifact as v1\)\n$/);
  });

  it('renders a 409 as one line and exits 1', async () => {
    api = await startFakeApi(() => ({
      status: 409,
      json: {
        error: {
          code: 'version_immutable',
          message: 'web v2 already names sha256:cd…; pick a new version label',
        },
      },
    }));
    const out = captureIo();
    expect(await main([...deployArgs(), '--server', api.url], out.io)).toBe(1);
    expect(out.stderr()).toBe('error: web v2 already names sha256:cd…; pick a new version label\n');
    expect(api.requests).toHaveLength(1);
  });

  it('renders deployment_in_progress as one line and exits 1', async () => {
    api = await startFakeApi((r) =>
      r.method === 'PUT'
        ? { status: 201, json: artifactFixture() }
        : {
            status: 409,
            json: {
              error: {
                code: 'deployment_in_progress',
                message: 'web in prod is already rolling out dep-0',
                deploymentId: 'dep-0',
              },
            },
          },
    );
    const out = captureIo();
    expect(await main([...deployArgs(), '--json', '--server', api.url], out.io)).toBe(1);
    expect(out.stderr().trimEnd().split('\n').at(-1)).toBe(
      'error: web in prod is already rolling out dep-0',
    );
    expect(JSON.parse(out.stdout())).toEqual({
      error: {
        code: 'deployment_in_progress',
        message: 'web in prod is already rolling out dep-0',
        deploymentId: 'dep-0',
      },
    });
  });

  it('exits 2 when --dir is not a folder', async () => {
    const out = captureIo();
    const args = ['deploy', 'web', '--env', 'prod', '--dir', join(dir, 'nope'), '--version', 'v2'];
    expect(await main(args, out.io)).toBe(2);
    expect(out.stderr()).toBe(`error: --dir "${join(dir, 'nope')}" is not a folder\n`);
  });
});

describe('ferry deploy --dry-run', () => {
  const planBody = (refusal: { code: string; message: string } | null) => ({
    service: 'web',
    environment: 'prod',
    artifact: { version: 'v2', digest: `sha256:${'b'.repeat(64)}`, sourceCommit: null },
    current: { version: 'v1', digest: `sha256:${'a'.repeat(64)}`, sourceCommit: null },
    upToDate: false,
    refusal,
    configChanges: [],
    strategy: 'canary (4 steps)',
    risk: {
      level: 'high',
      matched: [{ rule: 'prod-migrations', reasons: ['meta migrations=true'] }],
      requirement: {
        approvals: 2,
        roles: ['approver'],
        expiryMs: 7_200_000,
        onExpiry: 'reject',
        allowSelfApproval: false,
        remindBeforeMs: [],
      },
    },
  });

  it('prints the plan and its risk, asks nothing to change, and exits 1 when it would be refused', async () => {
    const refusal = { code: 'promotion_required', message: 'prod promotes from staging: ...' };
    api = await startFakeApi((r) =>
      r.path === '/api/v1/deployments/plan' ? { json: planBody(refusal) } : undefined,
    );
    const out = captureIo();
    const args = ['deploy', 'web', '--env', 'prod', '--version', 'v2', '--dry-run'];
    expect(await main([...args, '--server', api.url], out.io)).toBe(1);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/v1/deployments/plan',
    ]);
    expect(api.requests[0]?.query.get('version')).toBe('v2');
    expect(out.stderr()).toContain('deploy web v2 to prod (dry run: nothing changes)\n');
    expect(out.stderr()).toContain(
      '  risk: high: waits for 2 approvals (approver), expires after 2h, then reject\n    - prod-migrations: meta migrations=true\n',
    );
    expect(out.stderr()).toContain('  refused: prod promotes from staging: ...\n');
  });

  it('exits 0 when the deploy could go, and refuses --dir', async () => {
    api = await startFakeApi(() => ({ json: planBody(null) }));
    const out = captureIo();
    const args = ['deploy', 'web', '--env', 'prod', '--version', 'v2', '--dry-run'];
    expect(await main([...args, '--server', api.url], out.io)).toBe(0);
    expect(out.stderr()).toContain('  ready to deploy\n');
    const usage = captureIo();
    expect(await main([...args, '--dir', dir, '--server', api.url], usage.io)).toBe(2);
    expect(usage.stderr()).toMatch(/^error: --dry-run plans a version pushed before/);
  });
});
