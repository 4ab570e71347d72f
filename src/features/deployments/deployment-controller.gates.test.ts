import { afterEach, describe, expect, it } from 'vitest';
import {
  controllerHarness,
  type ControllerHarness,
} from '../../../test/support/controller-harness.js';

/** Template `errors`: measured every 10s (three times), 5% errors at most. */
const errors = `    analysis:
      errors:
        interval: 10s
        count: 3
        metrics:
          - { name: error-rate, provider: { builtin: { metric: error_rate } }, max: 0.05 }
`;

let h: ControllerHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

/** v1 live, then v2 deployed with v2's error rate. */
async function deployV2(service: string, errorRate: number): Promise<ControllerHarness> {
  h = await controllerHarness({ service });
  await h.deploy('v1');
  h.world.metrics.set('error_rate', errorRate);
  await h.deploy('v2');
  return h;
}

describe('analysis gates beyond canary steps', () => {
  const background = `    replicas: 2
${errors}    strategy:
      canary:
        abortScaleDownDelay: 0s
        analysis: { templates: [errors], startingStep: 1 }
        steps:
          - setWeight: 20
          - pause: { duration: 1m }
          - setWeight: 50
          - pause: { duration: 1m }`;

  it('background analysis that fails aborts the canary wherever it stands', async () => {
    const h = await deployV2(background, 0.4);
    await h.advance(5_000);
    const aborted = await h.latest();
    expect(aborted.phase).toBe('Aborted');
    expect(aborted.reason).toMatch(/^analysis "background" Failed/);
    expect(h.split()).toEqual({ v1: 100 });
  });

  it('background analysis that passes lets the canary end', async () => {
    const h = await deployV2(background, 0);
    for (let minute = 0; minute < 3; minute += 1) await h.advance(61_000);
    expect((await h.latest()).phase).toBe('Succeeded');
    expect(h.split()).toEqual({ v2: 100 });
    expect(h.world.metrics.taken.length).toBeGreaterThan(0);
  });

  const postPromotion = `    replicas: 2
${errors}    strategy:
      blueGreen:
        autoPromotion: 1s
        scaleDownDelay: 1m
        postPromotionAnalysis: { templates: [errors] }`;

  it('a blue-green failing post-promotion analysis switches back to the old set', async () => {
    const h = await deployV2(postPromotion, 0.3);
    await h.advance(17_000);
    const aborted = await h.latest();
    expect(aborted.phase).toBe('Aborted');
    expect(aborted.reason).toMatch(/^analysis "post-promotion" Failed/);
    expect(h.split()).toEqual({ v1: 100 });
    expect(await h.eventKinds('rollout.switched')).toHaveLength(1);
  });

  it('a blue-green passing post-promotion analysis succeeds', async () => {
    const h = await deployV2(postPromotion, 0);
    await h.advance(2_000);
    await h.advance(30_000);
    await h.advance(61_000);
    expect((await h.latest()).phase).toBe('Succeeded');
    expect(h.runningVersions()).toEqual(['v2', 'v2']);
  });

  const postDeploy = `    replicas: 2
${errors}    strategy:
      rolling: { maxSurge: 1, maxUnavailable: 0, postDeployAnalysis: { templates: [errors] } }`;

  it('a rolling update is checked once rolled out: a healthy one succeeds', async () => {
    const h = await deployV2(postDeploy, 0);
    expect((await h.latest()).phase).toBe('Progressing');
    await h.advance(25_000);
    expect((await h.latest()).phase).toBe('Succeeded');
    expect(h.runningVersions()).toEqual(['v2', 'v2']);
  });

  it('a rolling update failing its post-deploy analysis rolls back', async () => {
    const h = await deployV2(postDeploy, 0.5);
    await h.advance(25_000);
    const rolledBack = await h.latest();
    expect(rolledBack.phase).toBe('RolledBack');
    expect(rolledBack.reason).toMatch(/^analysis "post-deploy" Failed/);
    expect(h.runningVersions()).toEqual(['v1', 'v1']);
    expect(h.split()).toEqual({ v1: 100 });
  });
});

describe('canary traffic steps', () => {
  it('setMirror copies a share of requests to the canary and setCanaryScale sizes it, until the end', async () => {
    h = await controllerHarness({
      service: `    replicas: 4
    strategy:
      canary:
        steps:
          - setCanaryScale: { replicas: 1 }
          - setMirror: { percentage: 30 }
          - pause: {}
          - setWeight: 50
          - pause: {}`,
    });
    await h.deploy('v1');
    await h.deploy('v2');

    expect(h.table()?.mirrorPercent).toBe(30);
    expect(h.split()).toEqual({ v1: 100 });
    expect(h.runningVersions().filter((v) => v === 'v2')).toHaveLength(1);

    await h.act('promote');
    expect(h.split()).toEqual({ v1: 50, v2: 50 });
    expect((await h.act('promote')).phase).toBe('Succeeded');
    expect(h.runningVersions()).toEqual(['v2', 'v2', 'v2', 'v2']);
    expect(h.table()?.mirrorPercent ?? 0).toBe(0);
  });
});
