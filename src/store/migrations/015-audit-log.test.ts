import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { storeBackends, type OpenedStore } from '../../../test/support/store-backends.js';
import { KyselyAuditStore } from '../../features/audit/kysely-audit-store.js';

/** The database itself refuses to change or remove an audit entry, whoever asks. */
for (const backend of storeBackends) {
  const register = backend.skip ? describe.skip : describe;
  register(`audit_log is append-only on ${backend.name}`, () => {
    let opened: OpenedStore | undefined;
    afterEach(async () => {
      await opened?.close();
      opened = undefined;
    });

    it('refuses UPDATE and DELETE of a row, and keeps it as it was', async () => {
      opened = await backend.open();
      const { db } = opened;
      const store = new KyselyAuditStore(db);
      const written = await store.append({
        at: '2030-01-01T00:00:00.000Z',
        actor: 'token:tok-1',
        actorName: 'ci',
        action: 'POST /api/v1/deployments',
        target: { service: 'web', environment: 'prod' },
        parameters: {},
        status: 201,
        errorCode: null,
        before: null,
        after: null,
      });
      await expect(
        db.updateTable('audit_log').set({ actor: 'local' }).where('id', '=', written.id).execute(),
      ).rejects.toThrow(/audit_log is append-only: UPDATE refused/);
      await expect(db.deleteFrom('audit_log').execute()).rejects.toThrow(
        /audit_log is append-only: DELETE refused/,
      );
      if (backend.name === 'postgres') {
        await expect(sql`truncate audit_log`.execute(db)).rejects.toThrow(/append-only/);
      }
      expect(await store.query({ limit: 10 })).toEqual([written]);
    });
  });
}
