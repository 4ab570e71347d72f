import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServiceConfig } from '../../config/ferry-config.js';
import { serviceSchema } from '../../config/service-schema.js';
import type { Deployment } from './domain/deployment.js';
import { initialRolloutState } from './domain/rollout-state.js';
import type { DeploymentStore } from './deployment-store.js';

const spec: ServiceConfig = {
  name: 'web',
  ...serviceSchema.parse({
    runtime: { local: { command: ['node', 'server.js'], env: { MODE: 'prod' } } },
    smoke: [{ path: '/healthz' }],
  }),
};

const at = (minute: number) => `2025-06-01T12:${String(minute).padStart(2, '0')}:00.000Z`;

const deployment = (id: string, createdAt: string, over: Partial<Deployment> = {}): Deployment => ({
  id,
  service: 'web',
  environment: 'prod',
  kind: 'deploy',
  artifactDigest: `sha256:${'a'.repeat(64)}`,
  version: 'v1',
  phase: 'Succeeded',
  reason: null,
  previousId: null,
  spec,
  actor: 'local',
  createdAt,
  updatedAt: createdAt,
  lastProgressAt: createdAt,
  finishedAt: null,
  rollout: null,
  ...over,
});

const ids = (deployments: readonly Deployment[]) => deployments.map((d) => d.id);

/** What every DeploymentStore promises; `open` gives a fresh, empty store. */
export function describeDeploymentStoreContract(
  name: string,
  open: () => Promise<{ store: DeploymentStore; close(): Promise<void> }>,
): void {
  describe(`DeploymentStore contract: ${name}`, () => {
    let store: DeploymentStore;
    let close: () => Promise<void>;
    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(() => close());

    it('gives back an inserted deployment with every field, nulls and JSON included', async () => {
      const plain = deployment('d1', at(0));
      const full = deployment('d2', at(1), {
        kind: 'rollback',
        phase: 'RollingBack',
        reason: 'errors above 5%',
        previousId: 'd1',
        finishedAt: at(3),
        rollout: { ...initialRolloutState(1_000), lastSeenAt: 2_000, abortedAt: 1_500 },
        fastRollback: true,
      });
      await store.commit({ insert: plain, events: [] });
      await store.commit({ insert: full, events: [] });
      expect(await store.get('d1')).toEqual(plain);
      expect(await store.get('d2')).toEqual(full);
      expect(await store.get('nope')).toBeUndefined();
    });

    it('shares no object with its callers', async () => {
      const given = deployment('d1', at(0), { rollout: initialRolloutState(1_000) });
      await store.commit({ insert: given, events: [] });
      Object.assign(given.rollout!, { stepIndex: 9 });
      const read = await store.get('d1');
      Object.assign(read!.spec.runtime.local.env, { MODE: 'changed' });
      expect(await store.get('d1')).toEqual(
        deployment('d1', at(0), { rollout: initialRolloutState(1_000) }),
      );
    });

    it('reads fastRollback false back as absent', async () => {
      await store.commit({ insert: deployment('d1', at(0), { fastRollback: false }), events: [] });
      expect(await store.get('d1')).toEqual(deployment('d1', at(0)));
    });

    it('rejects a second deployment with the same id and keeps the first', async () => {
      await store.commit({ insert: deployment('d1', at(0)), events: [] });
      await expect(
        store.commit({ insert: deployment('d1', at(5), { version: 'v2' }), events: [] }),
      ).rejects.toThrow();
      expect(await store.get('d1')).toEqual(deployment('d1', at(0)));
    });

    it('inserts a deployment and ends the one it supersedes in the same transaction', async () => {
      await store.commit({
        insert: deployment('d1', at(0), { phase: 'RollingBack', reason: 'r' }),
        events: [],
      });
      const ended = {
        updatedAt: at(2),
        phase: 'Failed',
        reason: 'superseded',
        finishedAt: at(2),
      } as const;
      await store.commit({
        insert: deployment('d2', at(1), { version: 'v3', phase: 'Progressing' }),
        supersedes: { id: 'd1', patch: ended },
        events: [
          {
            actor: 'a',
            kind: 'deployment.created',
            subject: 'deployment/d2',
            payload: {},
            time: at(2),
          },
        ],
      });
      expect(await store.get('d1')).toEqual(deployment('d1', at(0), ended));
      const listed = await store.list({ service: 'web', environment: 'prod' }, 5);
      expect(listed.map((d) => [d.id, d.phase])).toEqual([
        ['d2', 'Progressing'],
        ['d1', 'Failed'],
      ]);

      // An insert that fails leaves the deployment it would supersede as it was.
      await store.commit({ insert: deployment('d3', at(3), { phase: 'RollingBack' }), events: [] });
      await expect(
        store.commit({
          insert: deployment('d2', at(4)),
          supersedes: { id: 'd3', patch: ended },
          events: [],
        }),
      ).rejects.toThrow();
      expect((await store.get('d3'))?.phase).toBe('RollingBack');
    });

    it('updates only the fields given; null clears reason and finishedAt', async () => {
      const rollout = initialRolloutState(1_000);
      await store.commit({
        insert: deployment('d1', at(0), { phase: 'Progressing', rollout }),
        events: [],
      });
      const next = { ...rollout, stepIndex: 2, full: true };
      await store.commit({
        id: 'd1',
        patch: {
          updatedAt: at(1),
          phase: 'Failed',
          reason: 'r',
          finishedAt: at(1),
        },
        events: [],
      });
      await store.commit({
        id: 'd1',
        patch: { updatedAt: at(2), lastProgressAt: at(2), rollout: next },
        events: [],
      });
      expect(await store.get('d1')).toEqual(
        deployment('d1', at(0), {
          phase: 'Failed',
          reason: 'r',
          finishedAt: at(1),
          updatedAt: at(2),
          lastProgressAt: at(2),
          rollout: next,
        }),
      );
      await store.commit({
        id: 'd1',
        patch: { updatedAt: at(3), reason: null, finishedAt: null },
        events: [],
      });
      const cleared = await store.get('d1');
      expect([cleared?.reason, cleared?.finishedAt, cleared?.phase]).toEqual([
        null,
        null,
        'Failed',
      ]);
    });

    it('ignores an update of a missing id', async () => {
      await store.commit({ id: 'nope', patch: { updatedAt: at(1), phase: 'Failed' }, events: [] });
      expect(await store.get('nope')).toBeUndefined();
      expect(await store.listLatest()).toEqual([]);
    });

    it('lists one target newest first, ties by id descending, up to the limit', async () => {
      await store.commit({ insert: deployment('d1', at(0)), events: [] });
      await store.commit({ insert: deployment('d2', at(2)), events: [] });
      await store.commit({ insert: deployment('d3', at(2)), events: [] });
      await store.commit({ insert: deployment('d4', at(1)), events: [] });
      await store.commit({
        insert: deployment('s1', at(9), { environment: 'staging' }),
        events: [],
      });
      await store.commit({ insert: deployment('a1', at(9), { service: 'api' }), events: [] });
      const target = { service: 'web', environment: 'prod' };
      expect(ids(await store.list(target, 10))).toEqual(['d3', 'd2', 'd4', 'd1']);
      expect(ids(await store.list(target, 2))).toEqual(['d3', 'd2']);
      expect(await store.list({ service: 'web', environment: 'dev' }, 10)).toEqual([]);
    });

    it('lists the deployments of one artifact in every environment, newest first', async () => {
      const other = `sha256:${'b'.repeat(64)}`;
      await store.commit({ insert: deployment('d1', at(0)), events: [] });
      await store.commit({
        insert: deployment('d2', at(3), { environment: 'staging', phase: 'Failed' }),
        events: [],
      });
      await store.commit({
        insert: deployment('d3', at(3), { artifactDigest: other }),
        events: [],
      });
      await store.commit({ insert: deployment('a1', at(9), { service: 'api' }), events: [] });
      const found = await store.listByArtifact('web', `sha256:${'a'.repeat(64)}`);
      expect(ids(found)).toEqual(['d2', 'd1']);
      expect(found[0]).toEqual(
        deployment('d2', at(3), { environment: 'staging', phase: 'Failed' }),
      );
      expect(await store.listByArtifact('web', `sha256:${'c'.repeat(64)}`)).toEqual([]);
    });

    it('lists active deployments of every target, oldest first, ties by id', async () => {
      await store.commit({ insert: deployment('d5', at(5), { phase: 'Progressing' }), events: [] });
      await store.commit({
        insert: deployment('d2', at(1), { phase: 'Paused', service: 'api' }),
        events: [],
      });
      await store.commit({
        insert: deployment('d1', at(1), { phase: 'RollingBack', environment: 'dev' }),
        events: [],
      });
      await store.commit({ insert: deployment('d0', at(0), { phase: 'Succeeded' }), events: [] });
      await store.commit({ insert: deployment('d3', at(3), { phase: 'Aborted' }), events: [] });
      await store.commit({ insert: deployment('d4', at(4), { phase: 'Failed' }), events: [] });
      await store.commit({ insert: deployment('d6', at(6), { phase: 'RolledBack' }), events: [] });
      expect(ids(await store.listActive())).toEqual(['d1', 'd2', 'd5']);
      await store.commit({ id: 'd5', patch: { updatedAt: at(7), phase: 'Succeeded' }, events: [] });
      expect(ids(await store.listActive())).toEqual(['d1', 'd2']);
    });

    it('lists the newest deployment of every target, ties by id', async () => {
      await store.commit({ insert: deployment('w1', at(0)), events: [] });
      await store.commit({ insert: deployment('w3', at(4)), events: [] });
      await store.commit({ insert: deployment('w2', at(4)), events: [] });
      await store.commit({
        insert: deployment('s1', at(5), { environment: 'staging' }),
        events: [],
      });
      await store.commit({ insert: deployment('a2', at(1), { service: 'api' }), events: [] });
      await store.commit({ insert: deployment('a1', at(0), { service: 'api' }), events: [] });
      const latest = await store.listLatest();
      expect(ids(latest).sort()).toEqual(['a2', 's1', 'w3']);
      expect(latest.find((d) => d.id === 'w3')).toEqual(deployment('w3', at(4)));
    });

    it('appends the events of a change with it, ids increasing, and gives them back', async () => {
      const created = await store.commit({
        insert: deployment('d1', at(0), { phase: 'Progressing' }),
        events: [
          {
            actor: 'u',
            kind: 'deployment.created',
            subject: 'deployment/d1',
            payload: { n: 1 },
            time: at(0),
          },
        ],
      });
      const paused = await store.commit({
        id: 'd1',
        patch: {
          updatedAt: at(1),
          phase: 'Paused',
          reason: 'paused by u',
          cause: { phase: 'Paused', pause: { kind: 'person', actor: 'u' } },
        },
        events: [
          {
            actor: 'u',
            kind: 'rollout.paused',
            subject: 'deployment/d1',
            payload: {},
            time: at(1),
          },
          {
            actor: 'u',
            kind: 'rollout.noted',
            subject: 'deployment/d1',
            payload: { a: [1] },
            time: at(1),
          },
        ],
      });
      expect(created.map((e) => e.kind)).toEqual(['deployment.created']);
      expect(paused.map((e) => [e.kind, e.payload])).toEqual([
        ['rollout.paused', {}],
        ['rollout.noted', { a: [1] }],
      ]);
      expect(paused[0]!.id).toBeGreaterThan(created[0]!.id);
      expect(paused[1]!.id).toBeGreaterThan(paused[0]!.id);
      expect((await store.get('d1'))?.cause).toEqual({
        phase: 'Paused',
        pause: { kind: 'person', actor: 'u' },
      });
    });

    it('writes nothing of a change whose event cannot be stored', async () => {
      await store.commit({ insert: deployment('d1', at(0), { phase: 'Progressing' }), events: [] });
      const unstorable = {
        actor: 'u',
        kind: 'x',
        subject: 'deployment/d1',
        payload: { n: 1n },
        time: at(1),
      };
      await expect(
        store.commit({
          id: 'd1',
          patch: { updatedAt: at(1), phase: 'Failed' },
          events: [unstorable],
        }),
      ).rejects.toThrow();
      await expect(
        store.commit({ insert: deployment('d2', at(1)), events: [unstorable] }),
      ).rejects.toThrow();
      expect(await store.get('d1')).toEqual(deployment('d1', at(0), { phase: 'Progressing' }));
      expect(await store.get('d2')).toBeUndefined();
    });

    it('keeps conditions in order until cleared, and a cause until set to null', async () => {
      const crash = {
        at: at(1),
        cause: { kind: 'crashLoop', instanceId: 'i1', restarts: 5 },
      } as const;
      const smoke = {
        at: at(2),
        cause: { kind: 'smokeFailed', instanceId: 'i2', message: 'GET / → 500' },
      } as const;
      await store.commit({
        insert: deployment('d1', at(0), { phase: 'Progressing', conditions: [crash] }),
        events: [],
      });
      await store.commit({
        id: 'd1',
        patch: { updatedAt: at(2), conditions: [crash, smoke] },
        events: [],
      });
      expect((await store.get('d1'))?.conditions).toEqual([crash, smoke]);
      const cause = { phase: 'Aborted', abort: crash.cause } as const;
      await store.commit({
        id: 'd1',
        patch: { updatedAt: at(3), conditions: [], cause },
        events: [],
      });
      const aborted = await store.get('d1');
      expect([aborted?.conditions, aborted?.cause]).toEqual([undefined, cause]);
      await store.commit({ id: 'd1', patch: { updatedAt: at(4), cause: null }, events: [] });
      expect((await store.get('d1'))?.cause).toBeUndefined();
    });
  });
}
