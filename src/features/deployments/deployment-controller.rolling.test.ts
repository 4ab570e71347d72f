import { afterEach, describe, expect, it } from 'vitest';
import { toNotification } from '../notifications/notification.js';
import type { Deployment } from './domain/deployment.js';
import {
  controllerHarness,
  scope,
  type ControllerHarness,
} from '../../../test/support/controller-harness.js';

const rolling = `    replicas: 3
    drainTimeout: 20s
    drain: { websockets: 5s }
    strategy:
      rolling: { maxSurge: 1, maxUnavailable: 0 }`;

let h: ControllerHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

describe('rolling updates', () => {
  it('starts every replica of a first deployment, routes to them and succeeds', async () => {
    h = await controllerHarness({ service: rolling });
    const first = await h.deploy('v1');

    expect(await h.latest()).toMatchObject({ id: first.id, phase: 'Succeeded', reason: null });
    expect(h.runningVersions()).toEqual(['v1', 'v1', 'v1']);
    expect(h.split()).toEqual({ v1: 100 });
    expect(await h.eventKinds('deployment.')).toEqual([
      'deployment.created',
      'deployment.succeeded',
    ]);
  });

  it('replaces the old version one instance at a time and ends with only the new one', async () => {
    h = await controllerHarness({ service: rolling, autoReady: false });
    await h.deploy('v1');
    for (const instance of await h.live()) h.world.runtime.makeReady(instance.id);
    await h.runUntilSettled();
    expect((await h.latest()).phase).toBe('Succeeded');
    const v1 = (await h.live()).map((i) => i.id).sort();

    await h.deploy('v2');
    // maxSurge 1: one v2 instance beside the three v1 until it is ready.
    expect(h.runningVersions()).toEqual(['v1', 'v1', 'v1', 'v2']);
    expect(h.split()).toEqual({ v1: 100 });
    for (let round = 0; round < 3; round += 1) {
      const starting = (await h.live()).filter((i) => i.phase === 'starting');
      expect(starting).toHaveLength(1);
      h.world.runtime.makeReady(starting[0]!.id);
      await h.runUntilSettled();
    }

    expect(await h.latest()).toMatchObject({ version: 'v2', phase: 'Succeeded' });
    expect(h.runningVersions()).toEqual(['v2', 'v2', 'v2']);
    expect(h.split()).toEqual({ v2: 100 });
    // Each old instance left the table and drained as the service says, then stopped.
    const drains = h.world.router.drains();
    expect(drains.map((d) => d.upstreamId).sort()).toEqual(v1);
    for (const drain of drains)
      expect(drain).toMatchObject({ timeoutMs: 20_000, tunnelsMs: 5_000 });
  });

  // Was a defect: a Paused rolling update kept replacing instances, though `ferry rollout pause`
  // promises to "hold it where it is".
  it('pause holds a rolling update where it stands; resume carries it on', async () => {
    h = await controllerHarness({ service: rolling, autoReady: false });
    await h.deploy('v1');
    for (const instance of await h.live()) h.world.runtime.makeReady(instance.id);
    await h.runUntilSettled();
    await h.deploy('v2');
    expect((await h.act('pause')).phase).toBe('Paused');

    const [starting] = (await h.live()).filter((i) => i.phase === 'starting');
    h.world.runtime.makeReady(starting!.id);
    await h.runUntilSettled();
    expect(h.runningVersions()).toEqual(['v1', 'v1', 'v1', 'v2']);

    await h.act('resume');
    expect(h.runningVersions()).toEqual(['v1', 'v1', 'v2', 'v2']);
  });

  it('abort by a person rolls back to the previous version', async () => {
    h = await controllerHarness({ service: rolling, autoReady: false });
    await h.deploy('v1');
    for (const instance of await h.live()) h.world.runtime.makeReady(instance.id);
    await h.runUntilSettled();
    await h.deploy('v2');
    const aborted = await h.act('abort');

    expect(aborted).toMatchObject({ phase: 'RolledBack', reason: 'aborted by user:test' });
    expect(h.runningVersions()).toEqual(['v1', 'v1', 'v1']);
    expect(h.split()).toEqual({ v1: 100 });
  });

  it('refuses promote (no steps) and a rollback while it rolls out', async () => {
    h = await controllerHarness({ service: rolling, autoReady: false });
    await h.deploy('v1');
    for (const instance of await h.live()) h.world.runtime.makeReady(instance.id);
    await h.runUntilSettled();
    await h.deploy('v2');

    await expect(h.act('promote')).rejects.toThrow(/rolling update without steps/);
    await expect(h.rollback()).rejects.toThrow(/already rolling out v2/);
    expect((await h.latest()).phase).toBe('Progressing');
  });
});

describe('rolling back a rolling update', () => {
  const four = (extra = '') => `    replicas: 4
${extra}    strategy:
      rolling: { maxSurge: 1, maxUnavailable: 0${extra ? ', postDeployAnalysis: { templates: [errors] }' : ''} }`;
  const errors = `    analysis:
      errors:
        interval: 10s
        count: 3
        metrics:
          - { name: error-rate, provider: { builtin: { metric: error_rate } }, max: 0.05 }
`;

  /** Versions of the instances starting now (launched, not ready yet), sorted. */
  const starting = () =>
    h!.world.runtime
      .list()
      .filter((s) => s.phase === 'starting')
      .map((s) => s.spec.version)
      .sort();

  /** Makes every starting instance of `version` ready, round after round, until none starts. */
  async function readyAll(version: string): Promise<void> {
    const of = () =>
      h!.world.runtime.list().filter((s) => s.phase === 'starting' && s.spec.version === version);
    for (let round = 0; round < 10 && of().length > 0; round += 1) {
      for (const s of of()) h!.world.runtime.makeReady(s.spec.instanceId);
      await h!.runUntilSettled();
    }
  }

  it('a fast rollback starts every old instance at once and retires each new one as an old one is ready', async () => {
    h = await controllerHarness({ service: four(), autoReady: false });
    await h.deploy('v1');
    await readyAll('v1');
    await h.deploy('v2');
    await readyAll('v2');
    expect(await h.latest()).toMatchObject({ version: 'v2', phase: 'Succeeded' });

    const rollback = await h.rollback();
    expect(rollback).toMatchObject({ version: 'v1', fastRollback: true });
    expect(starting()).toEqual(['v1', 'v1', 'v1', 'v1']);
    // Nothing serving leaves before a replacement is ready.
    expect(h.split()).toEqual({ v2: 100 });

    const [first] = h.world.runtime.list().filter((s) => s.phase === 'starting');
    h.world.runtime.makeReady(first!.spec.instanceId);
    await h.runUntilSettled();
    expect(h.runningVersions()).toEqual(['v1', 'v1', 'v1', 'v1', 'v2', 'v2', 'v2']);

    await readyAll('v1');
    expect(await h.latest()).toMatchObject({ id: rollback.id, phase: 'Succeeded' });
    expect(h.runningVersions()).toEqual(['v1', 'v1', 'v1', 'v1']);
    expect(h.split()).toEqual({ v1: 100 });
  });

  it('an automatic rollback (post-deploy analysis Failed) starts every old instance at once', async () => {
    h = await controllerHarness({ service: four(errors), autoReady: false });
    await h.deploy('v1');
    await readyAll('v1');
    h.world.metrics.set('error_rate', 0.5);
    await h.deploy('v2');
    // The last v2 instance ready: v2 is rolled out, measured, and found failing.
    await readyAll('v2');
    const rollingBack = await h.latest();
    expect(rollingBack).toMatchObject({ version: 'v2', phase: 'RollingBack' });
    expect(rollingBack.reason).toMatch(/^analysis "post-deploy" Failed/);
    expect(starting()).toEqual(['v1', 'v1', 'v1', 'v1']);

    await readyAll('v1');
    expect(await h.latest()).toMatchObject({ version: 'v2', phase: 'RolledBack' });
    expect(h.runningVersions()).toEqual(['v1', 'v1', 'v1', 'v1']);
    expect(h.split()).toEqual({ v1: 100 });
  });

  /** v1 live, v2 found failing and rolling back to v1, whose instances never become ready. */
  async function stuckRollback(): Promise<{ v1: Deployment; v2: Deployment }> {
    h = await controllerHarness({ service: four(errors), autoReady: false });
    const v1 = await h.deploy('v1');
    await readyAll('v1');
    h.world.metrics.set('error_rate', 0.5);
    await h.deploy('v2');
    await readyAll('v2');
    h.world.metrics.set('error_rate', 0);
    // Hours later, v1 has not come back (what it needs is gone); v2 still serves meanwhile.
    await h.advance(3 * 3_600_000);
    const v2 = await h.latest();
    expect(v2).toMatchObject({ version: 'v2', phase: 'RollingBack' });
    expect(h.split()).toEqual({ v2: 100 });
    return { v1, v2 };
  }

  it('a rollback that makes no progress within progressDeadline is told once, and goes on', async () => {
    const { v2 } = await stuckRollback();
    const stalled = await h!.world.stores.events.list({
      kindPrefix: 'deployment.rollback_stalled',
      limit: 9,
    });
    expect(stalled).toHaveLength(1);
    expect(stalled[0]).toMatchObject({ subject: `deployment/${v2.id}`, actor: 'controller' });
    expect(stalled[0]!.payload).toMatchObject({ rollbackTo: 'v1', ready: 0, replicas: 4 });
    expect(toNotification(stalled[0]!)?.text).toBe(
      'Ferry: web v2 in prod cannot finish rolling back: the rollback to v1 made no progress ' +
        'within the progress deadline (10m): 0/4 of its instances ready; v2 serves meanwhile. ' +
        '"ferry deploy" a fix or "ferry rollback" supersedes it',
    );

    // An old instance ready is progress; a new stall after it is told once more.
    const [first] = h!.world.runtime.list().filter((i) => i.spec.version === 'v1');
    h!.world.runtime.makeReady(first!.spec.instanceId);
    await h!.runUntilSettled();
    expect(await h!.latest()).toMatchObject({ id: v2.id, phase: 'RollingBack' });
    await h!.advance(3 * 3_600_000);
    expect(await h!.eventKinds('deployment.rollback_stalled')).toHaveLength(2);
    expect(h!.runningVersions()).toEqual(['v1', 'v1', 'v1', 'v1', 'v2', 'v2', 'v2']);
  });

  // Was a defect: a rollback whose previous version never became ready stayed RollingBack for
  // ever, and every deploy and rollback was refused as "already rolling out".
  it('a deploy supersedes a rollback that cannot finish: it ends Failed, the new version runs', async () => {
    const { v1, v2 } = await stuckRollback();
    const v3 = await h!.deploy('v3');
    expect(v3).toMatchObject({ version: 'v3', phase: 'Progressing', previousId: v1.id });
    const superseded = await h!.world.stores.deployments.get(v2.id);
    expect(superseded).toMatchObject({ phase: 'Failed', finishedAt: expect.any(String) });
    expect(superseded?.reason).toMatch(
      new RegExp(`^analysis "post-deploy" Failed.*; superseded by ${v3.id} \\(v3\\)`),
    );
    expect(superseded?.cause).toMatchObject({ phase: 'Failed', abort: { kind: 'analysisFailed' } });

    await readyAll('v3');
    await h!.advance(60_000); // its post-deploy analysis
    expect(await h!.latest()).toMatchObject({ id: v3.id, phase: 'Succeeded' });
    expect(h!.runningVersions()).toEqual(['v3', 'v3', 'v3', 'v3']);
    expect(h!.split()).toEqual({ v3: 100 });
    const failed = await h!.world.stores.events.list({ kindPrefix: 'deployment.failed', limit: 9 });
    expect(failed.map((e) => e.payload)).toEqual([
      expect.objectContaining({ version: 'v2', phase: 'Failed', supersededBy: v3.id }),
    ]);
  });

  it('a rollback to the version being rolled back to starts it afresh rather than doing nothing', async () => {
    const { v2 } = await stuckRollback();
    const again = await h!.rollback('v1');
    // v1 served last: the rollback is fast (no steps, no analysis).
    expect(again).toMatchObject({ kind: 'rollback', version: 'v1', fastRollback: true });
    expect((await h!.world.stores.deployments.get(v2.id))?.phase).toBe('Failed');

    await readyAll('v1');
    expect(await h!.latest()).toMatchObject({ id: again.id, phase: 'Succeeded' });
    expect(h!.runningVersions()).toEqual(['v1', 'v1', 'v1', 'v1']);
  });

  // The controller lists the newest deployment, then waits for the lock a rollback holds while it
  // supersedes that one: it must reconcile what is newest then, not the Failed one it listed
  // (which runs nothing: every instance would have been stopped).
  it('a reconcile listed before a rollback superseded its deployment reconciles the new one', async () => {
    await stuckRollback();
    h!.world.clock.advance(1_000);
    const rollback = h!.server.core.deployments.rollback(scope, 'v1', 'user:test');
    const reconcile = h!.controller.reconcileNow(scope);
    const { deployment: again } = await rollback;
    await reconcile;
    expect((await h!.latest()).id).toBe(again.id);
    await h!.runUntilSettled();
    // v2 still serves beside the starting v1 instances: nothing was stopped before its time
    // (reconciling the listed one, Failed, stopped all four v2 instances: nothing served).
    expect(h!.split()).toEqual({ v2: 100 });
    expect(h!.runningVersions()).toEqual(['v1', 'v1', 'v1', 'v1', 'v2', 'v2', 'v2', 'v2']);
  });

  it('a stop during a rollback is refused, naming what supersedes it', async () => {
    await stuckRollback();
    await expect(h!.stopService()).rejects.toThrow(
      /already rolling out v2 .*"ferry deploy" or "ferry rollback" supersedes its rollback/,
    );
  });
});
