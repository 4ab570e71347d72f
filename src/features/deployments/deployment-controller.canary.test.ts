import { afterEach, describe, expect, it } from 'vitest';
import {
  controllerHarness,
  type ControllerHarness,
} from '../../../test/support/controller-harness.js';

const canary = `    replicas: 2
    strategy:
      canary:
        abortScaleDownDelay: 10s
        steps:
          - setWeight: 20
          - pause: { duration: 30s }
          - setHeaderRoute:
              match:
                - header: x-canary
                  exact: "yes"
          - setWeight: 50
          - pause: {}`;

let h: ControllerHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

/** A harness with v1 live and v2 deployed as a canary. */
async function canaryOfV2(): Promise<ControllerHarness> {
  h = await controllerHarness({ service: canary });
  await h.deploy('v1');
  expect((await h.latest()).phase).toBe('Succeeded');
  await h.deploy('v2');
  return h;
}

describe('canary rollouts', () => {
  it('a first deployment goes straight to all replicas, with no steps', async () => {
    h = await controllerHarness({ service: canary });
    await h.deploy('v1');
    expect(await h.latest()).toMatchObject({ phase: 'Succeeded', rollout: null });
    expect(h.split()).toEqual({ v1: 100 });
  });

  it('walks the steps: weight, timed pause, header route, weight, open pause, promote', async () => {
    const h = await canaryOfV2();
    expect(await h.latest()).toMatchObject({ version: 'v2', phase: 'Progressing' });
    expect(h.split()).toEqual({ v1: 80, v2: 20 });
    expect(h.runningVersions()).toContain('v2');
    expect(h.runningVersions().filter((v) => v === 'v1')).toHaveLength(2);

    // The timed pause holds the weight until its 30s have passed.
    await h.advance(20_000);
    expect(h.split()).toEqual({ v1: 80, v2: 20 });
    expect(h.table()?.canaryMatches ?? []).toEqual([]);
    await h.advance(11_000);

    const paused = await h.latest();
    expect(paused.phase).toBe('Paused');
    expect(h.split()).toEqual({ v1: 50, v2: 50 });
    expect(h.table()?.canaryMatches).toEqual([
      { source: 'header', name: 'x-canary', kind: 'exact', value: 'yes' },
    ]);
    expect(await h.eventKinds('rollout.')).toEqual(
      expect.arrayContaining(['rollout.step', 'rollout.paused']),
    );

    const promoted = await h.act('promote');
    expect(promoted.phase).toBe('Succeeded');
    expect(h.split()).toEqual({ v2: 100 });
    expect(h.runningVersions()).toEqual(['v2', 'v2']);
    expect(h.controller.routingOf(promoted)).toBeUndefined();
  });

  it('routingOf tells the split of the rollout in progress', async () => {
    const h = await canaryOfV2();
    const routing = h.controller.routingOf(await h.latest());
    expect(routing).toMatchObject({ kind: 'canary', traffic: { weight: 20 } });
  });

  it('promote --full skips every remaining step', async () => {
    const h = await canaryOfV2();
    const promoted = await h.act('promote', true);
    expect(promoted.phase).toBe('Succeeded');
    expect(h.split()).toEqual({ v2: 100 });
    expect(h.runningVersions()).toEqual(['v2', 'v2']);
  });

  it('abort sends all traffic back to stable at once, then stops the canary after its delay', async () => {
    const h = await canaryOfV2();
    await h.advance(31_000);
    const aborted = await h.act('abort');

    expect(aborted).toMatchObject({ phase: 'Aborted', reason: 'aborted by user:test' });
    expect(h.split()).toEqual({ v1: 100 });
    expect(h.runningVersions()).toContain('v2');
    await h.advance(11_000);
    expect(h.runningVersions()).toEqual(['v1', 'v1']);
    expect(h.split()).toEqual({ v1: 100 });
    expect(await h.eventKinds('deployment.aborted')).toHaveLength(1);
  });

  it('retry after an abort starts the steps over', async () => {
    const h = await canaryOfV2();
    await h.act('abort');
    await h.advance(11_000);
    const retried = await h.act('retry');

    expect(retried.phase).toBe('Progressing');
    expect(retried.rollout?.stepIndex).toBeLessThanOrEqual(1);
    expect(h.split()).toEqual({ v1: 80, v2: 20 });
    expect(await h.eventKinds('rollout.retried')).toHaveLength(1);
  });

  it('pause holds a timed pause past its end; resume goes on', async () => {
    const h = await canaryOfV2();
    const paused = await h.act('pause');
    expect(paused).toMatchObject({ phase: 'Paused' });
    expect(paused.reason).toContain('user:test');

    await h.advance(60_000);
    expect((await h.latest()).phase).toBe('Paused');
    expect(h.split()).toEqual({ v1: 80, v2: 20 });

    // Past the timed pause: on through the header route and 50% to the open pause.
    const resumed = await h.act('resume');
    expect(h.split()).toEqual({ v1: 50, v2: 50 });
    expect(resumed.phase).toBe('Paused');
    expect(resumed.reason).not.toContain('user:test');
    expect(await h.eventKinds('rollout.resumed')).toHaveLength(1);
  });

  it('refuses actions that do not fit the phase, and changes nothing', async () => {
    const h = await canaryOfV2();
    await expect(h.act('retry')).rejects.toThrow(/cannot retry .* expected Aborted/);
    await expect(h.act('resume')).rejects.toThrow(/cannot resume/);
    expect((await h.latest()).phase).toBe('Progressing');
    expect(h.split()).toEqual({ v1: 80, v2: 20 });
  });
});
