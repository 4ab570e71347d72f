import { afterEach, describe, expect, it } from 'vitest';
import { FerryError } from '../../errors/ferry-error.js';
import {
  controllerHarness,
  splitOf,
  type ControllerHarness,
} from '../../../test/support/controller-harness.js';

const rolling = (extra = '') => `    replicas: 2
    progressDeadline: 1m
    strategy:
      rolling: { maxSurge: 1, maxUnavailable: 0 }
${extra}`;

const canary = (extra = '') => `    replicas: 2
    progressDeadline: 1m
${extra}    strategy:
      canary:
        abortScaleDownDelay: 0s
        steps:
          - setWeight: 50
          - pause: {}`;

const smoke = `    smoke:
      - { path: /healthz, expectStatus: [200] }
`;

let h: ControllerHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

/** Deploys v1 and passes the smoke checks of its instances. */
async function smokedV1(h: ControllerHarness): Promise<void> {
  await h.deploy('v1');
  for (const id of await idsOf(h, 'v1')) h.smoke.pass(id);
  await h.runUntilSettled();
  expect((await h.latest()).phase).toBe('Succeeded');
}

/** Ids of the live instances of a version. */
async function idsOf(h: ControllerHarness, version: string): Promise<string[]> {
  return (await h.live()).filter((i) => i.version === version).map((i) => i.id);
}

describe('conditions that end a rollout', () => {
  it('a first deployment whose instance fails to start is Failed, naming the error', async () => {
    h = await controllerHarness({ service: rolling() });
    h.world.runtime.failNextStart(new Error('exec format error'));
    await h.deploy('v1');

    const failed = await h.latest();
    expect(failed.phase).toBe('Failed');
    expect(failed.reason).toMatch(/failed to start: Error: exec format error/);
    expect(await h.eventKinds('instance.lost')).toHaveLength(1);
  });

  it('a rolling update whose instance fails to start rolls back to the previous version', async () => {
    h = await controllerHarness({ service: rolling() });
    await h.deploy('v1');
    h.world.runtime.failNextStart(new Error('no such file'));
    await h.deploy('v2');

    const rolledBack = await h.latest();
    expect(rolledBack).toMatchObject({ version: 'v2', phase: 'RolledBack' });
    expect(rolledBack.reason).toMatch(/failed to start/);
    expect(h.runningVersions()).toEqual(['v1', 'v1']);
    expect(h.split()).toEqual({ v1: 100 });
    expect(await h.eventKinds('deployment.rolling_back')).toHaveLength(1);
  });

  it('a canary whose instance crash-loops is aborted, traffic back on stable', async () => {
    h = await controllerHarness({ service: canary() });
    await h.deploy('v1');
    await h.deploy('v2');
    const [v2] = await idsOf(h, 'v2');
    h.world.runtime.crashLoop(v2!);
    await h.runUntilSettled();

    const aborted = await h.latest();
    expect(aborted.phase).toBe('Aborted');
    expect(aborted.reason).toMatch(/crash-looping/);
    expect(h.split()).toEqual({ v1: 100 });
    expect(h.runningVersions()).toEqual(['v1', 'v1']);
  });

  it('a crash loop of the stable version during a canary does not end it', async () => {
    h = await controllerHarness({ service: canary() });
    await h.deploy('v1');
    await h.deploy('v2');
    const [v1] = await idsOf(h, 'v1');
    h.world.runtime.crashLoop(v1!);
    await h.runUntilSettled();
    expect((await h.latest()).phase).toBe('Paused');
  });

  it('an instance that crashes once restarts and the rollout goes on', async () => {
    h = await controllerHarness({ service: rolling() });
    await h.deploy('v1');
    const [first] = await idsOf(h, 'v1');
    h.world.runtime.crash(first!);
    await h.advance(1_000);
    expect(h.world.runtime.get(first!)).toMatchObject({ phase: 'ready', restarts: 1 });
    expect((await h.latest()).phase).toBe('Succeeded');
    expect(await h.eventKinds('instance.crashed')).toHaveLength(1);
  });

  it('a new instance gets traffic only once its smoke checks passed', async () => {
    h = await controllerHarness({ service: canary(smoke) });
    await h.deploy('v1');
    expect(h.split()).toEqual({});
    for (const id of await idsOf(h, 'v1')) h.smoke.pass(id);
    await h.runUntilSettled();
    expect(h.split()).toEqual({ v1: 100 });
    await h.deploy('v2');

    const [v2] = await idsOf(h, 'v2');
    expect(h.smoke.asked.at(-1)).toEqual(v2);
    expect(h.world.router.upstreamsOf('web', 'prod', 'canary')).toEqual([]);
    h.smoke.pass(v2!);
    await h.runUntilSettled();
    expect(h.world.router.upstreamsOf('web', 'prod', 'canary')).toEqual([v2]);
    expect(h.split()).toEqual({ v1: 50, v2: 50 });
  });

  it('a canary instance failing its smoke checks aborts the rollout before it gets traffic', async () => {
    h = await controllerHarness({ service: canary(smoke) });
    await smokedV1(h);
    await h.deploy('v2');
    const [v2] = await idsOf(h, 'v2');
    h.smoke.fail(v2!, 'GET /healthz answered 503');
    await h.runUntilSettled();

    const aborted = await h.latest();
    expect(aborted.phase).toBe('Aborted');
    expect(aborted.reason).toBe(
      `instance ${v2} failed its smoke checks: GET /healthz answered 503`,
    );
    // No table ever sent v2 a share of the traffic.
    expect(h.world.router.history().filter((t) => splitOf(t)['v2'] !== undefined)).toEqual([]);
    expect(h.runningVersions()).toEqual(['v1', 'v1']);
  });

  it('a rolling update failing its smoke checks rolls back', async () => {
    h = await controllerHarness({ service: rolling(smoke) });
    await smokedV1(h);
    await h.deploy('v2');
    const [v2] = await idsOf(h, 'v2');
    h.smoke.fail(v2!, 'timed out');
    await h.runUntilSettled();

    expect(await h.latest()).toMatchObject({ version: 'v2', phase: 'RolledBack' });
    expect(h.runningVersions()).toEqual(['v1', 'v1']);
    expect(h.split()).toEqual({ v1: 100 });
    // Not even while it rolled back did a table send the failed instance any traffic.
    expect(h.world.router.history().filter((t) => splitOf(t)['v2'] !== undefined)).toEqual([]);
  });

  it('a route that cannot listen aborts the rollout at once, and says so once', async () => {
    h = await controllerHarness({ service: canary() });
    await h.deploy('v1');
    const listen = { host: '127.0.0.1', port: 18080 };
    h.world.router.failNextApply(
      new FerryError('conflict', 'cannot listen on 127.0.0.1:18080: held by nginx', {
        extra: { listen },
      }),
    );
    await h.deploy('v2');

    const aborted = await h.latest();
    expect(aborted.phase).toBe('Aborted');
    expect(aborted.reason).toBe('cannot listen on 127.0.0.1:18080: held by nginx');
    expect(await h.eventKinds('route.unavailable')).toHaveLength(1);
  });

  it('a rolling update that makes no progress within its deadline rolls back, saying why', async () => {
    h = await controllerHarness({ service: rolling(), autoReady: false });
    await h.deploy('v1');
    for (const id of await idsOf(h, 'v1')) h.world.runtime.makeReady(id);
    await h.runUntilSettled();
    await h.deploy('v2');

    await h.advance(50_000);
    expect((await h.latest()).phase).toBe('Progressing');
    await h.advance(11_000);
    const rolledBack = await h.latest();
    expect(rolledBack.phase).toBe('RolledBack');
    expect(rolledBack.reason).toMatch(
      /^no progress within the progress deadline \(60000ms\): 0\/2 new instances ready/,
    );
    expect(await h.eventKinds('deployment.rolling_back')).toHaveLength(1);
    expect(h.runningVersions()).toEqual(['v1', 'v1']);
  });

  it('a canary stuck without ready instances is aborted at its deadline', async () => {
    h = await controllerHarness({ service: canary(), autoReady: false });
    await h.deploy('v1');
    for (const id of await idsOf(h, 'v1')) h.world.runtime.makeReady(id);
    await h.runUntilSettled();
    await h.deploy('v2');

    await h.advance(61_000);
    const aborted = await h.latest();
    expect(aborted.phase).toBe('Aborted');
    expect(aborted.reason).toMatch(/^no progress within the progress deadline/);
    expect(h.split()).toEqual({ v1: 100 });
  });

  it('an instance that passed its smoke checks keeps its traffic across a restart, unchecked', async () => {
    h = await controllerHarness({ service: canary(smoke) });
    await smokedV1(h);
    await h.deploy('v2');
    const [v2] = await idsOf(h, 'v2');
    h.smoke.pass(v2!);
    await h.runUntilSettled();

    await h.restart();
    await h.runUntilSettled();
    expect(h.smoke.asked).toEqual([]);
    expect(h.split()).toEqual({ v1: 50, v2: 50 });
    expect(h.world.router.upstreamsOf('web', 'prod', 'canary')).toEqual([v2]);
  });

  it('an instance whose smoke checks had not passed is checked again after a restart', async () => {
    h = await controllerHarness({ service: canary(smoke) });
    await smokedV1(h);
    await h.deploy('v2');
    const [v2] = await idsOf(h, 'v2');

    await h.restart();
    await h.runUntilSettled();
    expect(h.smoke.asked).toEqual([v2]);
    expect(h.split()).toEqual({ v1: 100 });
  });

  it('a rollout waiting at an open pause is not failed by its progress deadline', async () => {
    h = await controllerHarness({ service: canary() });
    await h.deploy('v1');
    await h.deploy('v2');
    expect((await h.latest()).phase).toBe('Paused');
    await h.advance(5 * 60_000);
    expect((await h.latest()).phase).toBe('Paused');
    expect(h.split()).toEqual({ v1: 50, v2: 50 });
  });

  it('a rolling update whose new instance crash-loops rolls back', async () => {
    h = await controllerHarness({ service: rolling(), autoReady: false });
    await h.deploy('v1');
    for (const id of await idsOf(h, 'v1')) h.world.runtime.makeReady(id);
    await h.runUntilSettled();
    await h.deploy('v2');
    const [v2] = await idsOf(h, 'v2');
    h.world.runtime.crashLoop(v2!);
    await h.runUntilSettled();

    const rolledBack = await h.latest();
    expect(rolledBack).toMatchObject({ version: 'v2', phase: 'RolledBack' });
    expect(rolledBack.reason).toMatch(/crash-looping/);
    expect(h.runningVersions()).toEqual(['v1', 'v1']);
  });
});
