import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeBackends, type OpenedStore } from '../../../test/support/store-backends.js';
import { KyselyEventStore } from './kysely-event-store.js';

describe.each(storeBackends)('KyselyEventStore on $name', (backend) => {
  let opened: OpenedStore | undefined;
  let store: KyselyEventStore;

  beforeEach(async (ctx) => {
    if (backend.skip) return ctx.skip(backend.skip);
    opened = await backend.open();
    store = new KyselyEventStore(opened.db);
  });

  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });

  const append = (kind: string, subject: string) =>
    store.append({
      kind,
      subject,
      actor: 'controller',
      payload: { n: 1 },
      time: '2025-06-01T12:00:00.000Z',
    });

  it('filters by exact, case-sensitive prefixes, `_` and `%` included', async () => {
    await append('deployment.created', 'service/my_app/prod');
    await append('deployment.created', 'service/myapp/prod');
    await append('Deployment.created', 'service/my%app/prod');

    const subjects = async (subjectPrefix: string) =>
      (await store.list({ subjectPrefix })).map((e) => e.subject);
    expect(await subjects('service/my_app')).toEqual(['service/my_app/prod']);
    expect(await subjects('service/my%')).toEqual(['service/my%app/prod']);
    expect((await store.list({ kindPrefix: 'deployment.' })).map((e) => e.id)).toEqual([1, 2]);
  });

  it('numbers events from 1 and pages after an id, payloads as JSON', async () => {
    await append('a', 's');
    await append('b', 's');
    const events = await store.list({ after: 1 });
    expect(events).toEqual([
      {
        id: 2,
        kind: 'b',
        subject: 's',
        actor: 'controller',
        payload: { n: 1 },
        time: '2025-06-01T12:00:00.000Z',
      },
    ]);
  });
});
