import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeploymentPhase } from '../api-types.js';
import { main } from '../main.js';
import {
  artifactFixture,
  deploymentFixture,
  instanceFixture,
  serviceFixture,
} from '../test-api-fixtures.js';
import { captureIo, startFakeApi, type FakeApi } from '../test-api-server.js';

let dir: string;
let api: FakeApi | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-cli-follow-'));
  await writeFile(join(dir, 'server.js'), 'console.log("hi")\n');
});

afterEach(async () => {
  await api?.close();
  api = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** `ferry deploy web v2` whose rollout is Progressing, then `phase` with `reason`. */
async function deployEndingIn(phase: DeploymentPhase, reason: string) {
  let polls = 0;
  api = await startFakeApi((r) => {
    if (r.method === 'PUT') return { status: 201, json: artifactFixture() };
    if (r.method === 'POST') {
      return { status: 201, json: { deployment: deploymentFixture(), noop: false } };
    }
    if (r.path === '/api/v1/deployments/dep-1') {
      return { json: polls++ === 0 ? deploymentFixture() : deploymentFixture({ phase, reason }) };
    }
    return undefined;
  });
  const out = captureIo();
  const args = ['deploy', 'web', '--env', 'prod', '--dir', dir, '--version', 'v2'];
  const code = await main([...args, '--server', api.url], out.io);
  return { code, stderr: out.stderr(), polls };
}

describe('following a rollout', () => {
  it('stops with exit 3 and says what it waits for when the rollout pauses', async () => {
    const reason = 'paused at step 2/4: run "ferry rollout promote" to go on';
    const { code, stderr } = await deployEndingIn('Paused', reason);
    expect(code).toBe(3);
    expect(stderr.split('\n').slice(-4)).toEqual([
      'deploy web v2 to prod: Paused',
      `web v2 is paused in prod: ${reason}`,
      'it waits for "ferry rollout promote web --env prod" (or "ferry rollout abort web --env prod"); exit code 3 means paused',
      '',
    ]);
  });

  it('stops with exit 1 and the reason when the rollout is aborted', async () => {
    const { code, stderr, polls } = await deployEndingIn('Aborted', 'canary 5xx rate 12% > 5%');
    expect(code).toBe(1);
    expect(polls).toBe(2);
    expect(stderr.split('\n').slice(-3)).toEqual([
      'deploy web v2 to prod: Aborted',
      'error: deploy web v2 to prod was aborted: canary 5xx rate 12% > 5% (traffic is back on stable; "ferry rollout retry web --env prod" tries again)',
      '',
    ]);
  });

  it('shows why new instances are not ready while it waits for them', async () => {
    let polls = 0;
    api = await startFakeApi((r) => {
      if (r.method === 'PUT') return { status: 201, json: artifactFixture() };
      if (r.method === 'POST') {
        return { status: 201, json: { deployment: deploymentFixture(), noop: false } };
      }
      if (r.path === '/api/v1/deployments/dep-1') {
        polls += 1;
        if (polls < 4) return { json: deploymentFixture() };
        const reason =
          'no progress: 0/1 new instances ready (web-prod-1: GET /healthz → 404, 9 times)';
        return { json: deploymentFixture({ phase: 'Aborted', reason }) };
      }
      if (r.path === '/api/v1/services/web') {
        const probe = `GET /healthz → 404, ${polls === 0 ? 'once' : `${polls + 1} times`}`;
        const instances = [instanceFixture({ phase: 'starting', probe })];
        const status = serviceFixture();
        return {
          json: {
            ...status,
            environments: status.environments.map((e) => ({ ...e, instances })),
          },
        };
      }
      return undefined;
    });
    const out = captureIo();
    const args = ['deploy', 'web', '--env', 'prod', '--dir', dir, '--version', 'v2'];
    expect(await main([...args, '--server', api.url], out.io)).toBe(1);
    const lines = out.stderr().split('\n');
    // One line per new result, not one per probe.
    expect(lines.filter((l) => l.includes('not ready'))).toEqual([
      '  not ready: web-prod-1: GET /healthz → 404, once',
    ]);
    expect(lines.at(-2)).toContain('(web-prod-1: GET /healthz → 404, 9 times)');
  });
});
