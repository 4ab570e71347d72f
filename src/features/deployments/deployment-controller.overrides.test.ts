import { afterEach, describe, expect, it } from 'vitest';
import {
  controllerHarness,
  type ControllerHarness,
} from '../../../test/support/controller-harness.js';

/** A rolling update of 2 everywhere, but a canary of 3 with its own LOG in prod. */
const web = `    replicas: 2
    strategy: { rolling: { maxSurge: 1, maxUnavailable: 0 } }
    overrides:
      prod:
        replicas: 3
        env: { LOG: info }
        strategy:
          canary:
            steps:
              - setWeight: 20
              - pause: { duration: 10s }`;

const harnesses: ControllerHarness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.dispose()));
});

/** `web` deployed to `environment` of a dev → prod ferry.yaml, v1 live and v2 on its way. */
async function v2Into(environment: string): Promise<ControllerHarness> {
  const h = await controllerHarness({ service: web, environments: ['dev', 'prod'], environment });
  harnesses.push(h);
  await h.deploy('v1');
  expect((await h.latest()).phase).toBe('Succeeded');
  await h.deploy('v2');
  return h;
}

describe('per-environment overrides', () => {
  it('runs the canary steps of the prod override, with its replicas and env', async () => {
    const h = await v2Into('prod');
    const deployment = await h.latest();
    expect(deployment).toMatchObject({ version: 'v2', phase: 'Progressing' });
    expect(deployment.spec).toMatchObject({ replicas: 3, overrides: {} });
    expect(deployment.spec.strategy.kind).toBe('canary');
    expect(h.split()).toEqual({ v1: 80, v2: 20 });
    expect(h.runningVersions().filter((v) => v === 'v1')).toHaveLength(3);
    expect(h.world.runtime.list().map((s) => s.spec.env['LOG'])).toContain('info');

    await h.advance(11_000);
    expect(await h.latest()).toMatchObject({ version: 'v2', phase: 'Succeeded' });
    expect(h.split()).toEqual({ v2: 100 });
    expect(h.runningVersions()).toEqual(['v2', 'v2', 'v2']);
    expect(await h.eventKinds('rollout.step')).not.toHaveLength(0);
  });

  it('runs a plain rolling update of the service’s own replicas in dev', async () => {
    const h = await v2Into('dev');
    const deployment = await h.latest();
    expect(deployment).toMatchObject({ version: 'v2', phase: 'Succeeded', rollout: null });
    expect(deployment.spec.strategy.kind).toBe('rolling');
    expect(deployment.spec.replicas).toBe(2);
    expect(h.split()).toEqual({ v2: 100 });
    expect(h.runningVersions()).toEqual(['v2', 'v2']);
    expect(h.world.runtime.list().some((s) => 'LOG' in s.spec.env)).toBe(false);
    expect(await h.eventKinds('rollout.step')).toEqual([]);
  });
});
