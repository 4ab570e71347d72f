import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewEvent } from './event.js';
import type { EventStore } from './event-store.js';

const event = (kind: string, subject: string, time: string): NewEvent & { time: string } => ({
  time,
  actor: 'controller',
  kind,
  subject,
  payload: { note: kind, nested: { list: [1, 'two', null], flag: true } },
});

/** What every EventStore promises; `open` gives a fresh, empty store. */
export function describeEventStoreContract(
  name: string,
  open: () => Promise<{ store: EventStore; close(): Promise<void> }>,
): void {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let close: () => Promise<void>;
    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(() => close());

    const seed = async () => {
      const times = ['12:00', '12:01', '12:02', '12:03', '12:04'].map(
        (hm) => `2025-06-01T${hm}:00.000Z`,
      );
      return [
        await store.append(event('deployment.created', 'deployment/d1', times[0]!)),
        await store.append(event('instance.started', 'instance/i1', times[1]!)),
        await store.append(event('deployment.succeeded', 'deployment/d1', times[2]!)),
        await store.append(event('deployment.created', 'deployment/d10', times[3]!)),
        await store.append(event('instance.crashed', 'instance/i2', times[4]!)),
      ];
    };

    it('appends with increasing ids and gives back every field, payload as JSON', async () => {
      const [first, second] = await seed();
      expect(first).toEqual({
        ...event('deployment.created', 'deployment/d1', first!.time),
        id: first!.id,
      });
      expect(second!.id).toBeGreaterThan(first!.id);
      const listed = await store.list({});
      expect(listed).toHaveLength(5);
      expect(listed[0]).toEqual(first);
      expect(listed.map((e) => e.id)).toEqual([...listed.map((e) => e.id)].sort((a, b) => a - b));
    });

    it('shares no object with its callers', async () => {
      const given = event('deployment.created', 'deployment/d1', '2025-06-01T12:00:00.000Z');
      const appended = await store.append(given);
      Object.assign(given.payload, { note: 'changed' });
      Object.assign(appended.payload, { note: 'changed' });
      Object.assign((await store.list({}))[0]!.payload, { note: 'changed' });
      expect((await store.list({}))[0]!.payload).toEqual(
        event('deployment.created', 'deployment/d1', given.time).payload,
      );
    });

    it('filters by id, subject prefix, kind prefix and time, all together', async () => {
      const all = await seed();
      const ids = (events: readonly { id: number }[]) => events.map((e) => e.id);
      expect(ids(await store.list({ after: all[2]!.id }))).toEqual(ids(all.slice(3)));
      expect(ids(await store.list({ subjectPrefix: 'deployment/d1' }))).toEqual(
        ids([all[0]!, all[2]!, all[3]!]),
      );
      expect(ids(await store.list({ kindPrefix: 'instance.' }))).toEqual(ids([all[1]!, all[4]!]));
      expect(ids(await store.list({ since: all[3]!.time }))).toEqual(ids(all.slice(3)));
      expect(
        ids(
          await store.list({ kindPrefix: 'deployment.', after: all[0]!.id, since: all[2]!.time }),
        ),
      ).toEqual(ids([all[2]!, all[3]!]));
    });

    it('matches prefixes literally and case-sensitively', async () => {
      await store.append(
        event('deployment.created', 'service/web_app/prod', '2025-06-01T12:00:00.000Z'),
      );
      await store.append(
        event('Deploy.manual', 'service/webXapp/prod', '2025-06-01T12:01:00.000Z'),
      );
      expect(await store.list({ subjectPrefix: 'service/web_' })).toHaveLength(1);
      expect(await store.list({ subjectPrefix: 'service/web%' })).toEqual([]);
      expect((await store.list({ kindPrefix: 'Deploy' })).map((e) => e.kind)).toEqual([
        'Deploy.manual',
      ]);
      expect(await store.list({ kindPrefix: 'DEPLOYMENT' })).toEqual([]);
    });

    it('limits to the first matches, or with latest to the last ones, oldest first', async () => {
      const all = await seed();
      const ids = (events: readonly { id: number }[]) => events.map((e) => e.id);
      expect(ids(await store.list({ limit: 2 }))).toEqual(ids(all.slice(0, 2)));
      expect(ids(await store.list({ limit: 2, latest: true }))).toEqual(ids(all.slice(3)));
      expect(ids(await store.list({ limit: 10, latest: true }))).toEqual(ids(all));
      expect(await store.list({ after: all[4]!.id })).toEqual([]);
    });
  });
}
