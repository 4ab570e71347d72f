import { createHash } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../../src/cli/test-api-server.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { FerryServer } from '../support/ferry-server.js';

interface InstanceBody {
  readonly environment: string;
  readonly version: string;
  readonly pid: number | null;
}
interface DeploymentBody {
  readonly id: string;
  readonly version: string;
  readonly artifactDigest: string;
  readonly phase: string;
}

/** What an instance runs, read from its own working folder: the unpacked release. */
function releaseHash(pid: number): string {
  const cwd = readlinkSync(`/proc/${pid}/cwd`);
  const hash = createHash('sha256');
  for (const file of ['server.js', 'hello.json', 'package.json']) {
    hash.update(file).update(readFileSync(join(cwd, file)));
  }
  return hash.digest('hex');
}

/**
 * The same bytes from dev to prod: a real server with three environments, dev rolling and prod a
 * canary from per-environment overrides, driven by the CLI as a person would.
 */
describe('promotion from dev to staging to prod', { timeout: 240_000 }, () => {
  let server: FerryServer;
  const ports: Record<string, number> = {};
  const v1 = helloVersion({ version: 'v1' });
  const v2 = helloVersion({ version: 'v2' });

  const ferry = async (...args: string[]) => {
    const capture = captureIo({ pollIntervalMs: 100 });
    const code = await main([...args, '--server', server.url], capture.io);
    return { code, stdout: capture.stdout(), stderr: capture.stderr() };
  };
  const live = async (environment: string) => {
    const { deployments } = await server.get<{ deployments: DeploymentBody[] }>(
      `/api/v1/deployments?service=hello&environment=${environment}`,
    );
    return deployments.find((d) => d.phase === 'Succeeded');
  };

  beforeAll(async () => {
    for (const env of ['dev', 'staging', 'prod']) ports[env] = await freePort();
    server = await FerryServer.create(`apiVersion: ferry.dev/v1
environments:
  - name: dev
  - name: staging
  - name: prod
services:
  hello:
    replicas: 1
    runtime:
      local: { command: node server.js }
    routes:
      dev: 127.0.0.1:${ports['dev']}
      staging: 127.0.0.1:${ports['staging']}
      prod: 127.0.0.1:${ports['prod']}
    health:
      readiness: { path: /healthz, interval: 500ms, timeout: 2s, failureThreshold: 3 }
    strategy: { rolling: {} }
    overrides:
      prod:
        replicas: 2
        strategy:
          canary:
            steps:
              - setWeight: 50
              - pause: { duration: 1s }
`);
    await server.start();
  });

  afterAll(async () => {
    await server?.destroy();
  });

  it('refuses what has not been through the path, each with its reason', async () => {
    const direct = await ferry('deploy', 'hello', '--env', 'prod', '--dir', v1, '--version', 'v1');
    expect(direct.code).toBe(1);
    expect(direct.stderr).toContain(
      'error: prod promotes from staging: "ferry promote hello --to prod"',
    );
    const early = await ferry('promote', 'hello', '--to', 'staging');
    expect(early.code).toBe(1);
    expect(early.stderr).toContain('never deployed to dev: nothing is live there to promote');
  });

  it('pushes v1, deploys it to dev and promotes the identical digest to staging and prod', async () => {
    const push = await ferry(
      'artifact',
      'push',
      'hello',
      v1,
      '--version',
      'v1',
      '--commit',
      'abc1234',
    );
    expect(push.code, push.stderr).toBe(0);
    const deploy = await ferry('deploy', 'hello', '--env', 'dev', '--version', 'v1');
    expect(deploy.code, deploy.stderr).toBe(0);
    const plan = await ferry('promote', 'hello', '--to', 'staging', '--dry-run');
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stderr).toContain('promote hello dev → staging (dry run: nothing changes)');
    expect(plan.stderr).toContain('ready to promote');
    expect(await live('staging')).toBeUndefined();
    expect((await ferry('promote', 'hello', '--to', 'staging')).code).toBe(0);
    const toProd = await ferry('promote', 'hello', '--to', 'prod');
    expect(toProd.code, toProd.stderr).toBe(0);

    const digests = await Promise.all(
      ['dev', 'staging', 'prod'].map(async (e) => (await live(e))?.artifactDigest),
    );
    expect(new Set(digests).size).toBe(1);
    expect(digests[0]).toMatch(/^sha256:/);
    // Checked on the files each instance runs, not only on the records.
    const { instances } = await server.get<{ instances: InstanceBody[] }>(
      '/api/v1/instances?service=hello',
    );
    const running = instances.filter((i) => i.pid !== null);
    expect(running.map((i) => i.environment).sort()).toEqual(['dev', 'prod', 'prod', 'staging']);
    expect(new Set(running.map((i) => releaseHash(i.pid ?? 0))).size).toBe(1);
  });

  it('rolls v2 out as a rolling update in dev and as a canary in prod, from the overrides', async () => {
    expect(
      (await ferry('deploy', 'hello', '--env', 'dev', '--dir', v2, '--version', 'v2')).code,
    ).toBe(0);
    expect((await ferry('promote', 'hello', '--to', 'staging')).code).toBe(0);
    const plan = await ferry('promote', 'hello', '--to', 'prod', '--dry-run', '--json');
    expect(plan.code).toBe(0);
    const [prodPlan] = (
      JSON.parse(plan.stdout) as {
        plans: { strategy: string; current: { version: string }; artifact: { version: string } }[];
      }
    ).plans;
    expect(prodPlan).toMatchObject({
      strategy: 'canary (2 steps)',
      current: { version: 'v1' },
      artifact: { version: 'v2' },
    });
    expect((await ferry('promote', 'hello', '--to', 'prod')).code).toBe(0);

    const steps = async (environment: string) => {
      const deployment = await live(environment);
      const { events } = await server.get<{ events: unknown[] }>(
        `/api/v1/events?kind=rollout.step&subject=deployment/${deployment?.id ?? ''}`,
      );
      return { version: deployment?.version, steps: events.length };
    };
    expect(await steps('dev')).toEqual({ version: 'v2', steps: 0 });
    const prod = await steps('prod');
    expect(prod.version).toBe('v2');
    expect(prod.steps).toBeGreaterThan(0);

    const matrix = await ferry('env');
    expect(matrix.code).toBe(0);
    expect(matrix.stdout).toMatch(/hello +dev +v2 .* healthy +staging: up to date/);
    expect(matrix.stdout).toMatch(/hello +staging +v2 .* healthy +prod: up to date/);
  });
});
