import { afterEach, describe, expect, it } from 'vitest';
import { FerryError } from '../../errors/ferry-error.js';
import {
  controllerHarness,
  type ControllerHarness,
} from '../../../test/support/controller-harness.js';

const blueGreen = (extra = '') => `    replicas: 2
    strategy:
      blueGreen:
        previewRoutes: { prod: 127.0.0.1:18081 }
        scaleDownDelay: 10s
${extra}`;

/** Whether a deployment store patch records a blue-green switch. */
function switches(patch: unknown): boolean {
  const rollout = (patch as { rollout?: { switchedAt?: number | null } } | undefined)?.rollout;
  return typeof rollout?.switchedAt === 'number';
}

let h: ControllerHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

describe('blue-green rollouts', () => {
  it('previews the new set while the route stays on the old one, then switches at once on promote', async () => {
    h = await controllerHarness({ service: blueGreen() });
    await h.deploy('v1');
    await h.deploy('v2');

    const paused = await h.latest();
    expect(paused.phase).toBe('Paused');
    expect(h.split()).toEqual({ v1: 100 });
    expect(h.split('preview')).toEqual({ v2: 100 });
    expect(h.table('preview')?.listen).toEqual({ host: '127.0.0.1', port: 18081 });
    expect(h.runningVersions()).toEqual(['v1', 'v1', 'v2', 'v2']);

    await h.act('promote');
    expect(h.split()).toEqual({ v2: 100 });
    expect(await h.eventKinds('rollout.switched')).toHaveLength(1);

    // The old set stays for scaleDownDelay, then stops; the preview route closes.
    await h.advance(11_000);
    expect(await h.latest()).toMatchObject({ version: 'v2', phase: 'Succeeded' });
    expect(h.runningVersions()).toEqual(['v2', 'v2']);
    expect(h.table('preview')).toBeUndefined();
    expect(h.split()).toEqual({ v2: 100 });
  });

  it('switches by itself after autoPromotion', async () => {
    h = await controllerHarness({ service: blueGreen('        autoPromotion: 30s') });
    await h.deploy('v1');
    await h.deploy('v2');
    expect(h.split()).toEqual({ v1: 100 });

    await h.advance(31_000);
    expect(h.split()).toEqual({ v2: 100 });
    await h.advance(11_000);
    expect(await h.latest()).toMatchObject({ version: 'v2', phase: 'Succeeded' });
    expect(h.runningVersions()).toEqual(['v2', 'v2']);
  });

  it('abort before the switch keeps traffic on the old set and stops the new one', async () => {
    h = await controllerHarness({ service: blueGreen() });
    await h.deploy('v1');
    await h.deploy('v2');
    const aborted = await h.act('abort');

    expect(aborted.phase).toBe('Aborted');
    expect(h.split()).toEqual({ v1: 100 });
    expect(h.table('preview')).toBeUndefined();
    await h.advance(11_000);
    expect(h.runningVersions()).toEqual(['v1', 'v1']);
  });

  it('abort after the switch, during scaleDownDelay, switches back to the old set', async () => {
    h = await controllerHarness({ service: blueGreen() });
    await h.deploy('v1');
    await h.deploy('v2');
    await h.act('promote');
    expect(h.split()).toEqual({ v2: 100 });

    const aborted = await h.act('abort');
    expect(aborted.phase).toBe('Aborted');
    expect(h.split()).toEqual({ v1: 100 });
    await h.advance(11_000);
    expect(h.runningVersions()).toEqual(['v1', 'v1']);
  });

  it('retry after an abort previews the new set again', async () => {
    h = await controllerHarness({ service: blueGreen() });
    await h.deploy('v1');
    await h.deploy('v2');
    await h.act('abort');
    await h.advance(11_000);
    const retried = await h.act('retry');

    expect(retried.phase).toBe('Paused');
    expect(h.split()).toEqual({ v1: 100 });
    expect(h.split('preview')).toEqual({ v2: 100 });
    expect(h.runningVersions()).toEqual(['v1', 'v1', 'v2', 'v2']);
  });

  it('aborts when the preview route cannot listen; traffic stays on the old set', async () => {
    h = await controllerHarness({ service: blueGreen() });
    await h.deploy('v1');
    const listen = { host: '127.0.0.1', port: 18081 };
    h.world.router.failNextApply(
      new FerryError('conflict', 'cannot listen on 127.0.0.1:18081: held by pid 4242', {
        extra: { listen },
      }),
    );
    await h.deploy('v2');

    const aborted = await h.latest();
    expect(aborted).toMatchObject({
      phase: 'Aborted',
      reason: 'cannot listen on 127.0.0.1:18081: held by pid 4242',
    });
    expect(h.split()).toEqual({ v1: 100 });
    await h.advance(11_000);
    expect(h.runningVersions()).toEqual(['v1', 'v1']);
    expect(await h.eventKinds('route.unavailable')).toHaveLength(1);
  });

  // Defect: the preview listener is closed only by the RouterSync that opened it (it remembers
  // applied tables in memory). A server that dies after persisting the switch but before
  // changing the tables leaves the preview route open in the router (which outlives it), and the
  // next server never closes it: the preview keeps serving the new set after the rollout ended.
  // Found by the restart property test (blue-green, killed after the switch).
  it('closes the preview route at the end even when another server opened it', async () => {
    h = await controllerHarness({ service: blueGreen() });
    await h.deploy('v1');
    await h.deploy('v2');
    // The server dies right after it persisted the switch, before it changed the tables.
    // A deployment's change is one `commit({ id, patch, events })`.
    await h.restart({
      killAfterWrites: ({ args }) => switches((args[0] as { patch?: unknown }).patch),
    });
    const promoting = h.act('promote');
    await Promise.race([promoting, h.server.life.death]);
    expect(h.server.life.dead).toBe(true);
    expect(h.table('preview')).toBeDefined();

    await h.restart();
    await h.advance(11_000);

    expect(await h.latest()).toMatchObject({ version: 'v2', phase: 'Succeeded' });
    expect(h.split()).toEqual({ v2: 100 });
    expect(h.table('preview')).toBeUndefined();
  });
});
