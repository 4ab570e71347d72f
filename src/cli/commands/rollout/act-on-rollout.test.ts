import { afterEach, describe, expect, it } from 'vitest';
import type { DeploymentPhase, RolloutView } from '../../api-types.js';
import { main } from '../../main.js';
import { deploymentFixture } from '../../test-api-fixtures.js';
import { captureIo, startFakeApi, type FakeApi } from '../../test-api-server.js';
import { rolloutViewFixture } from './test-rollout-fixtures.js';

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const act = (action: string, ...extra: string[]) => [
  'rollout',
  action,
  'web',
  '--env',
  'prod',
  ...extra,
  '--server',
  api?.url ?? '',
];

/** The canary fixture at step `current` (0-based; 3 = past the last) in `phase`. */
function at(current: number, phase: DeploymentPhase): RolloutView {
  const base = rolloutViewFixture();
  return {
    ...base,
    deployment: deploymentFixture({ id: 'dep-7', previousId: 'dep-6', phase }),
    steps: base.steps.map((s) => ({
      ...s,
      state: s.index < current ? 'done' : s.index === current ? 'current' : 'pending',
    })),
  };
}

/** A fake API answering `POST /rollouts/web/prod/:action` with `view`. */
async function actionApi(view: RolloutView) {
  return startFakeApi((r) =>
    r.method === 'POST' && r.path.startsWith('/api/v1/rollouts/web/prod/')
      ? { json: view }
      : undefined,
  );
}

const bodyOf = (i = 0) => JSON.parse(api?.requests[i]?.body.toString() ?? '') as unknown;

describe('ferry rollout promote|abort|retry|pause|resume', () => {
  it('promotes one step: one line on stderr, the steps and split on stdout', async () => {
    api = await actionApi(at(2, 'Progressing'));
    const out = captureIo();
    expect(await main(act('promote'), out.io)).toBe(0);
    expect(api.requests[0]?.path).toBe('/api/v1/rollouts/web/prod/promote');
    expect(bodyOf()).toEqual({ full: false });
    expect(out.stderr()).toBe('web prod: promoted (step 3/3, Progressing)\n');
    expect(out.stdout()).toBe(
      [
        'canary, 3 steps:',
        '✓ 1. setWeight 10%',
        '✓ 2. pause (until promoted)',
        '▶ 3. setWeight 50%',
        'traffic: canary 10% · header x-canary exact "yes" · mirror 50%',
        '',
      ].join('\n'),
    );
  });

  it('sends {full: true} with --full', async () => {
    api = await actionApi(at(3, 'Progressing'));
    const out = captureIo();
    expect(await main(act('promote', '--full'), out.io)).toBe(0);
    expect(bodyOf()).toEqual({ full: true });
    expect(out.stderr()).toBe('web prod: promoted fully (all 3 steps done, Progressing)\n');
  });

  it('says which version traffic went back to after an abort', async () => {
    api = await actionApi(at(1, 'Aborted'));
    const out = captureIo();
    expect(await main(act('abort'), out.io)).toBe(0);
    expect(api.requests[0]?.path).toBe('/api/v1/rollouts/web/prod/abort');
    expect(bodyOf()).toEqual({});
    expect(out.stderr()).toBe('web prod: aborted: traffic back to stable (v1)\n');
  });

  it('asks for the previous deployment when the view has no stable track', async () => {
    api = await startFakeApi((r) => {
      if (r.method === 'POST') return { json: { ...at(1, 'Aborted'), tracks: [] } };
      if (r.path === '/api/v1/deployments/dep-6') {
        return { json: deploymentFixture({ id: 'dep-6', version: 'v1', phase: 'Succeeded' }) };
      }
      return undefined;
    });
    const out = captureIo();
    expect(await main(act('abort'), out.io)).toBe(0);
    expect(out.stderr()).toBe('web prod: aborted: traffic back to stable (v1)\n');
  });

  it('says where the rollout is after retry, pause and resume', async () => {
    const cases: [string, RolloutView, string][] = [
      ['retry', at(0, 'Progressing'), 'web prod: retrying v2 (step 1/3, Progressing)\n'],
      ['pause', at(2, 'Paused'), 'web prod: paused (step 3/3, Paused)\n'],
      ['resume', at(2, 'Progressing'), 'web prod: resumed (step 3/3, Progressing)\n'],
    ];
    for (const [action, view, line] of cases) {
      api = await actionApi(view);
      const out = captureIo();
      expect(await main(act(action), out.io)).toBe(0);
      expect(api.requests[0]?.path).toBe(`/api/v1/rollouts/web/prod/${action}`);
      expect(out.stderr()).toBe(line);
      await api.close();
      api = undefined;
    }
  });

  it('says clearly that promote is needed when resume left the rollout paused', async () => {
    const paused = at(1, 'Paused');
    const reason = 'paused at step 2/3: run "ferry rollout promote" to go on';
    api = await actionApi({ ...paused, deployment: { ...paused.deployment!, reason } });
    const out = captureIo();
    expect(await main(act('resume'), out.io)).toBe(0);
    expect(out.stderr()).toBe(`web prod: still paused: ${reason}\n`);
  });

  it('prints the RolloutView with --json', async () => {
    api = await actionApi(at(2, 'Progressing'));
    const out = captureIo();
    expect(await main(act('promote', '--json'), out.io)).toBe(0);
    expect(JSON.parse(out.stdout())).toEqual(at(2, 'Progressing'));
  });

  it('follows the rollout with --wait and exits as deploy does', async () => {
    let polls = 0;
    api = await startFakeApi((r) => {
      if (r.method === 'POST') return { json: at(3, 'Progressing') };
      if (r.path === '/api/v1/deployments/dep-7') {
        polls += 1;
        const phase = polls < 2 ? 'Progressing' : 'Succeeded';
        return { json: deploymentFixture({ id: 'dep-7', previousId: 'dep-6', phase }) };
      }
      if (r.path === '/api/v1/rollouts/web/prod') return { json: at(3, 'Succeeded') };
      return { json: { name: 'web', environments: [] } };
    });
    const out = captureIo({ pollIntervalMs: 10 });
    expect(await main(act('promote', '--full', '--wait'), out.io)).toBe(0);
    expect(out.stderr()).toContain('web v2 is live in prod\n');
    expect(polls).toBe(2);
    expect(out.stdout()).toContain('✓ 3. setWeight 50%');
  });

  it('takes --wait only after promote, resume or retry', async () => {
    const out = captureIo();
    expect(await main(act('pause', '--wait'), out.io)).toBe(2);
    expect(out.stderr()).toBe('error: --wait goes with promote, resume or retry, not "pause"\n');
  });

  it('renders a 409 as one line and exits 1', async () => {
    const message =
      'cannot promote web in prod: its newest deployment dep-7 (v2) is Succeeded, expected Progressing or Paused';
    api = await startFakeApi(() => ({
      status: 409,
      json: { error: { code: 'conflict', message, deploymentId: 'dep-7', phase: 'Succeeded' } },
    }));
    const out = captureIo();
    expect(await main(act('promote'), out.io)).toBe(1);
    expect(out.stderr()).toBe(`error: ${message}\n`);
    expect(out.stdout()).toBe('');
    expect(api.requests).toHaveLength(1);
  });
});
