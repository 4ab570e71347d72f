import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InstanceRecord, InstanceSpec } from './instance-runtime.js';
import type { StoredInstance } from './instance.js';
import type { InstanceStore } from './instance-store.js';

const at = (minute: number) => `2025-06-01T12:${String(minute).padStart(2, '0')}:00.000Z`;

const spec = (id: string): InstanceSpec => ({
  instanceId: id,
  service: 'web',
  environment: 'prod',
  version: 'v1',
  artifactDigest: `sha256:${'a'.repeat(64)}`,
  command: ['node', 'server.js'],
  cwd: '.',
  env: { MODE: 'prod', EMPTY: '' },
  readiness: {
    path: '/healthz',
    intervalMs: 1000,
    timeoutMs: 2000,
    successThreshold: 1,
    failureThreshold: 3,
    initialDelayMs: 0,
  },
  drainTimeoutMs: 30_000,
  websocketDrainMs: 5_000,
});

/** A record as the local runtime makes it: its handle holds the process ids and the log. */
const record = (id: string, pid: number): InstanceRecord => ({
  instanceId: id,
  // Not loopback: the store keeps whatever address the runtime reported.
  host: '10.0.0.7',
  port: 40_000 + pid,
  handle: {
    kind: 'local',
    pid,
    pgid: pid,
    // Past 2^31 (248 days of uptime): the handle keeps 64-bit numbers whole.
    pidStartTicks: 2_147_483_648 + pid,
    logPath: `/var/ferry/logs/${id}.log`,
  },
});

/** A record of another runtime: the store keeps any JSON handle, nested values included. */
const foreignRecord = (id: string): InstanceRecord => ({
  instanceId: id,
  host: 'web-7f9c.prod.svc',
  port: 8080,
  handle: {
    kind: 'kubernetes',
    pod: { namespace: 'prod', name: 'web-7f9c', uid: null },
    containers: ['app', 'proxy'],
    ready: true,
    note: 'quotes " and \\ and ünïcode',
  },
});

const instance = (id: string, createdAt: string, over: Partial<StoredInstance> = {}) => ({
  id,
  deploymentId: 'd1',
  service: 'web',
  environment: 'prod',
  version: 'v1',
  artifactDigest: `sha256:${'a'.repeat(64)}`,
  intent: 'running' as const,
  record: null,
  restarts: 0,
  spec: spec(id),
  createdAt,
  updatedAt: createdAt,
  smokePassedAt: null,
  ...over,
});

const ids = (instances: readonly StoredInstance[]) => instances.map((i) => i.id);

/** What every InstanceStore promises; `open` gives a fresh, empty store. */
export function describeInstanceStoreContract(
  name: string,
  open: () => Promise<{ store: InstanceStore; close(): Promise<void> }>,
): void {
  describe(`InstanceStore contract: ${name}`, () => {
    let store: InstanceStore;
    let close: () => Promise<void>;
    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(() => close());

    it('gives back an inserted instance with every field, record and spec included', async () => {
      const full = instance('i2', at(1), {
        intent: 'draining',
        record: record('i2', 42),
        restarts: 3,
        smokePassedAt: at(2),
      });
      await store.insert(instance('i1', at(0)));
      await store.insert(full);
      expect(await store.get('i1')).toEqual(instance('i1', at(0)));
      expect(await store.get('i2')).toEqual(full);
      expect(await store.get('nope')).toBeUndefined();
    });

    it('shares no object with its callers', async () => {
      const given = instance('i1', at(0), { record: record('i1', 7) });
      await store.insert(given);
      Object.assign(given.record!.handle, { pid: 1 });
      Object.assign((await store.get('i1'))!.spec.env, { MODE: 'changed' });
      expect(await store.get('i1')).toEqual(instance('i1', at(0), { record: record('i1', 7) }));
    });

    it("gives back any runtime's handle as it was given, on insert and on update", async () => {
      await store.insert(instance('k1', at(0), { record: foreignRecord('k1') }));
      await store.insert(instance('k2', at(0), { intent: 'launching' }));
      await store.update('k2', { updatedAt: at(1), record: foreignRecord('k2') });
      expect((await store.get('k1'))?.record).toEqual(foreignRecord('k1'));
      expect((await store.get('k2'))?.record).toEqual(foreignRecord('k2'));
      expect((await store.listLive()).map((i) => i.record)).toEqual([
        foreignRecord('k1'),
        foreignRecord('k2'),
      ]);
    });

    it('reads an absent smokePassedAt back as null', async () => {
      const { smokePassedAt: _absent, ...withoutSmoke } = instance('i1', at(0));
      await store.insert(withoutSmoke);
      expect(await store.get('i1')).toEqual(instance('i1', at(0)));
    });

    it('rejects a second instance with the same id and keeps the first', async () => {
      await store.insert(instance('i1', at(0)));
      await expect(store.insert(instance('i1', at(5), { version: 'v2' }))).rejects.toThrow();
      expect(await store.get('i1')).toEqual(instance('i1', at(0)));
    });

    it('updates only the fields given, and ignores a missing id', async () => {
      await store.insert(instance('i1', at(0), { intent: 'launching' }));
      await store.update('i1', { updatedAt: at(1), record: record('i1', 7), restarts: 1 });
      await store.update('i1', { updatedAt: at(2), intent: 'running', smokePassedAt: at(2) });
      await store.update('nope', { updatedAt: at(2), intent: 'stopped' });
      expect(await store.get('i1')).toEqual(
        instance('i1', at(0), {
          updatedAt: at(2),
          intent: 'running',
          record: record('i1', 7),
          restarts: 1,
          smokePassedAt: at(2),
        }),
      );
      expect(await store.get('nope')).toBeUndefined();
      await store.update('i1', { updatedAt: at(3), record: record('i1', 8) });
      expect((await store.get('i1'))?.record).toEqual(record('i1', 8));
    });

    it('lists live instances, of one target or of all, oldest first, ties by id', async () => {
      await store.insert(instance('i3', at(1)));
      await store.insert(instance('i2', at(1), { intent: 'launching' }));
      await store.insert(instance('i1', at(2), { intent: 'draining' }));
      await store.insert(instance('i0', at(0), { intent: 'stopped' }));
      await store.insert(instance('s1', at(0), { environment: 'staging' }));
      await store.insert(instance('a1', at(3), { service: 'api' }));
      expect(ids(await store.listLive())).toEqual(['s1', 'i2', 'i3', 'i1', 'a1']);
      expect(ids(await store.listLive({ service: 'web', environment: 'prod' }))).toEqual([
        'i2',
        'i3',
        'i1',
      ]);
      await store.update('i3', { updatedAt: at(4), intent: 'stopped' });
      expect(ids(await store.listLive({ service: 'web', environment: 'prod' }))).toEqual([
        'i2',
        'i1',
      ]);
      expect(await store.listLive({ service: 'web', environment: 'dev' })).toEqual([]);
    });

    it('lists every instance of a deployment, stopped ones too, oldest first', async () => {
      await store.insert(instance('i3', at(1), { intent: 'stopped' }));
      await store.insert(instance('i2', at(1)));
      await store.insert(instance('i1', at(2)));
      await store.insert(instance('o1', at(0), { deploymentId: 'd2' }));
      expect(ids(await store.listOfDeployment('d1'))).toEqual(['i2', 'i3', 'i1']);
      expect(await store.listOfDeployment('d9')).toEqual([]);
    });
  });
}
