import { afterEach, describe, expect, it } from 'vitest';
import {
  controllerHarness,
  type ControllerHarness,
} from '../../../test/support/controller-harness.js';

const canary = (revisions: number) => `    replicas: 2
    rollbackWindow: { revisions: ${revisions} }
    analysis:
      errors:
        interval: 10s
        count: 3
        metrics:
          - { name: error-rate, provider: { builtin: { metric: error_rate } }, max: 0.05 }
    strategy:
      canary:
        abortScaleDownDelay: 0s
        steps:
          - setWeight: 25
          - pause: { duration: 30s }
          - analysis: { templates: [errors] }
          - setWeight: 50
          - pause: {}`;

let h: ControllerHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

/** v1, then v2 made live past its steps. */
async function v2Live(revisions: number): Promise<ControllerHarness> {
  h = await controllerHarness({ service: canary(revisions) });
  await h.deploy('v1');
  await h.deploy('v2');
  expect((await h.act('promote', true)).phase).toBe('Succeeded');
  return h;
}

describe('fast rollback', () => {
  it('within rollbackWindow moves all traffic back at once: no steps, no pause, no analysis', async () => {
    const h = await v2Live(3);
    const measured = h.world.metrics.taken.length;
    const rollback = await h.rollback();

    expect(rollback).toMatchObject({ version: 'v1', kind: 'rollback', fastRollback: true });
    expect(await h.latest()).toMatchObject({ id: rollback.id, phase: 'Succeeded' });
    expect(h.split()).toEqual({ v1: 100 });
    expect(h.runningVersions()).toEqual(['v1', 'v1']);
    expect(h.world.metrics.taken).toHaveLength(measured);
    expect(await h.eventKinds('rollout.paused')).toEqual([]);
  });

  it('outside rollbackWindow goes through the canary steps', async () => {
    const h = await v2Live(0);
    const rollback = await h.rollback();

    expect(rollback.fastRollback).toBeUndefined();
    expect(await h.latest()).toMatchObject({ version: 'v1', phase: 'Progressing' });
    expect(h.split()).toEqual({ v2: 75, v1: 25 });
  });
});

describe('stop and start', () => {
  it('stop ends every instance and closes the route; start runs the last version again', async () => {
    h = await controllerHarness({ service: canary(3) });
    await h.deploy('v1');
    await h.stopService();

    expect(h.runningVersions()).toEqual([]);
    expect(await h.live()).toEqual([]);
    expect(h.table()).toBeUndefined();
    expect(h.world.router.removed()).toContain('web/prod/main');

    const started = await h.startService();
    expect(started.version).toBe('v1');
    expect(await h.latest()).toMatchObject({ id: started.id, phase: 'Succeeded' });
    expect(h.runningVersions()).toEqual(['v1', 'v1']);
    expect(h.split()).toEqual({ v1: 100 });
  });

  it('a stopped service stays stopped across a server restart', async () => {
    h = await controllerHarness({ service: canary(3) });
    await h.deploy('v1');
    await h.stopService();
    await h.restart({ graceful: true });
    await h.runUntilSettled();

    expect(h.runningVersions()).toEqual([]);
    expect(h.table()).toBeUndefined();
  });

  it('stop is refused during a rollout, and rollout actions while stopped', async () => {
    h = await controllerHarness({ service: canary(3) });
    await h.deploy('v1');
    await h.deploy('v2');
    await expect(h.stopService()).rejects.toThrow(/already rolling out v2/);
    expect(h.split()).toEqual({ v1: 75, v2: 25 });

    await h.act('abort');
    await h.stopService();
    await expect(h.act('retry')).rejects.toThrow(/it is stopped/);
    expect(h.runningVersions()).toEqual([]);
  });

  it('halt resolves once the instances have drained and stopped', async () => {
    h = await controllerHarness({ service: canary(3) });
    await h.deploy('v1');
    h.world.router.holdDrains();
    await h.server.core.deployments.stop({ service: 'web', environment: 'prod' }, 'user:test');
    let halted = false;
    const halting = h.controller.halt({ service: 'web', environment: 'prod' }).then(() => {
      halted = true;
    });
    await new Promise((resolve) => setImmediate(resolve));

    expect(halted).toBe(false);
    expect(h.table()).toBeUndefined();
    expect(h.runningVersions()).toEqual(['v1', 'v1']);
    h.world.router.releaseDrains();
    await halting;
    expect(h.runningVersions()).toEqual([]);
    expect(await h.live()).toEqual([]);
  });
});

describe('server restarts', () => {
  it('a stop cut short by a kill is finished by the next server', async () => {
    h = await controllerHarness({ service: canary(3) });
    await h.deploy('v1');
    const draining = (patch: unknown) => (patch as { intent?: string }).intent === 'draining';
    await h.restart({ killAfterWrites: ({ args }) => draining(args[1]) });
    const scope = { service: 'web', environment: 'prod' };
    await h.server.core.deployments.stop(scope, 'user:test');
    await Promise.race([h.controller.halt(scope), h.server.life.death]);
    expect(h.server.life.dead).toBe(true);

    await h.restart();
    await h.runUntilSettled();
    expect(h.runningVersions()).toEqual([]);
    expect(await h.live()).toEqual([]);
    expect(h.table()).toBeUndefined();
  });

  for (const graceful of [true, false]) {
    it(`a canary keeps its instances, step and split across a ${graceful ? 'stop' : 'kill'} of the server`, async () => {
      h = await controllerHarness({ service: canary(3) });
      await h.deploy('v1');
      await h.deploy('v2');
      const before = (await h.live()).map((i) => i.id).sort();
      const step = (await h.latest()).rollout?.stepIndex;

      await h.restart({ graceful });
      await h.runUntilSettled();
      expect((await h.live()).map((i) => i.id).sort()).toEqual(before);
      expect((await h.latest()).rollout?.stepIndex).toBe(step);
      expect(h.split()).toEqual({ v1: 75, v2: 25 });
      expect(await h.eventKinds('instance.adopted')).toHaveLength(before.length);

      await h.advance(31_000);
      await h.advance(31_000);
      expect(h.split()).toEqual({ v1: 50, v2: 50 });
      expect((await h.act('promote')).phase).toBe('Succeeded');
      expect(h.runningVersions()).toEqual(['v2', 'v2']);
    });
  }

  it('an instance that died while the server was down is replaced', async () => {
    h = await controllerHarness({ service: canary(3) });
    await h.deploy('v1');
    const [gone] = await h.live();
    // Its process ends while no server watches it.
    h.world.runtime.host.kill(gone!.record!);
    await h.restart();
    await h.runUntilSettled();

    expect((await h.live()).map((i) => i.id)).not.toContain(gone!.id);
    expect(h.runningVersions()).toEqual(['v1', 'v1']);
    expect(await h.eventKinds('instance.lost')).toHaveLength(1);
  });
});
