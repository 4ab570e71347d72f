import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventLog } from '../events/event-log.js';
import { KyselyEventStore } from '../events/kysely-event-store.js';
import { ManualClock } from '../../shared/clock.js';
import { openSqlite } from '../../store/open-sqlite.js';
import { KyselyTokenStore } from './kysely-token-store.js';
import { TokenService } from './token-service.js';

/**
 * A TokenService on a fresh SQLite file with a manual clock, and its event log. Test-only.
 *
 * @example const kit = await authKit(); ...; await kit.close()
 */
export async function authKit() {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-auth-'));
  const db = await openSqlite(join(dir, 'ferry.db'));
  const clock = new ManualClock(Date.parse('2030-01-01T00:00:00.000Z'));
  const events = new EventLog(new KyselyEventStore(db), clock);
  const tokens = new TokenService(new KyselyTokenStore(db), events, clock);
  return {
    dir,
    db,
    clock,
    events,
    tokens,
    async close() {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
