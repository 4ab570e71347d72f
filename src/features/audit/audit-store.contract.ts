import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditStore } from './audit-store.js';
import type { NewAuditEntry } from './domain/audit-entry.js';

const entry = (at: string, actor: string, actorName: string | null): NewAuditEntry => ({
  at,
  actor,
  actorName,
  action: 'POST /api/v1/deployments',
  target: { service: 'web', environment: 'prod', version: 'v2' },
  parameters: { params: {}, query: {}, body: { service: 'web', environment: 'prod' } },
  status: 201,
  errorCode: null,
  before: { deployment: 'dep-1', version: 'v1', phase: 'Succeeded' },
  after: { deployment: 'dep-2', version: 'v2', phase: 'Progressing' },
});

/** What every AuditStore promises; `open` gives a fresh, empty store. */
export function describeAuditStoreContract(
  name: string,
  open: () => Promise<{ store: AuditStore; close(): Promise<void> }>,
): void {
  describe(`AuditStore contract: ${name}`, () => {
    let store: AuditStore;
    let close: () => Promise<void>;
    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(() => close());

    it('gives back every field of an appended entry, nulls included, with increasing ids', async () => {
      const first = await store.append(entry('2030-01-01T00:00:00.000Z', 'token:tok-1', 'ci'));
      const refused = {
        ...entry('2030-01-01T00:00:01.000Z', 'anonymous', null),
        status: 401,
        errorCode: 'unauthorized',
        before: null,
        after: null,
      };
      const second = await store.append(refused);
      expect(second.id).toBeGreaterThan(first.id);
      expect(await store.query({ limit: 10 })).toEqual([
        { ...refused, id: second.id },
        { ...entry('2030-01-01T00:00:00.000Z', 'token:tok-1', 'ci'), id: first.id },
      ]);
    });

    it('filters by actor (token:<id>, bare id, name or local) and since; newest first, limited', async () => {
      await store.append(entry('2030-01-01T00:00:00.000Z', 'token:tok-1', 'ci'));
      await store.append(entry('2030-01-01T01:00:00.000Z', 'local', null));
      await store.append(entry('2030-01-01T02:00:00.000Z', 'token:tok-2', 'ops'));
      await store.append(entry('2030-01-01T03:00:00.000Z', 'token:tok-1', 'ci'));
      const ats = async (q: Parameters<AuditStore['query']>[0]) =>
        (await store.query(q)).map((e) => `${e.actor}@${e.at.slice(11, 13)}`);
      expect(await ats({ limit: 10, actor: 'ci' })).toEqual(['token:tok-1@03', 'token:tok-1@00']);
      expect(await ats({ limit: 10, actor: 'tok-1' })).toEqual([
        'token:tok-1@03',
        'token:tok-1@00',
      ]);
      expect(await ats({ limit: 10, actor: 'token:tok-2' })).toEqual(['token:tok-2@02']);
      expect(await ats({ limit: 10, actor: 'local' })).toEqual(['local@01']);
      expect(await ats({ limit: 10, since: '2030-01-01T01:00:00.000Z' })).toEqual([
        'token:tok-1@03',
        'token:tok-2@02',
        'local@01',
      ]);
      expect(await ats({ limit: 2 })).toEqual(['token:tok-1@03', 'token:tok-2@02']);
    });

    it('shares no object with its callers', async () => {
      const input = entry('2030-01-01T00:00:00.000Z', 'local', null);
      await store.append(input);
      const [read] = await store.query({ limit: 1 });
      (read?.target as Record<string, string>)['service'] = 'changed';
      expect((await store.query({ limit: 1 }))[0]?.target['service']).toBe('web');
    });
  });
}
