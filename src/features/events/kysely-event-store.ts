import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import type { EventQuery, FerryEvent, NewEvent } from './event.js';
import type { EventStore } from './event-store.js';

export class KyselyEventStore implements EventStore {
  constructor(private readonly db: Kysely<Database>) {}

  async append(event: NewEvent & { readonly time: string }): Promise<FerryEvent> {
    const row = await this.db
      .insertInto('events')
      .values({
        time: event.time,
        actor: event.actor,
        kind: event.kind,
        subject: event.subject,
        payload: JSON.stringify(event.payload),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { ...event, id: row.id };
  }

  async list(query: EventQuery): Promise<readonly FerryEvent[]> {
    let q = this.db.selectFrom('events').selectAll();
    if (query.after !== undefined) q = q.where('id', '>', query.after);
    if (query.subjectPrefix) q = q.where(startsWith('subject', query.subjectPrefix));
    if (query.kindPrefix) q = q.where(startsWith('kind', query.kindPrefix));
    if (query.since !== undefined) q = q.where('time', '>=', query.since);
    const rows = await q
      .orderBy('id', query.latest ? 'desc' : 'asc')
      .limit(query.limit ?? 1000)
      .execute();
    if (query.latest) rows.reverse();
    return rows.map((r) => ({ ...r, payload: JSON.parse(r.payload) as Record<string, unknown> }));
  }
}

/**
 * `column` begins with `prefix`, exactly: `like` ignores case on SQLite but not on PostgreSQL,
 * and gives `_` and `%` (which service names may hold) a meaning; `substr` is the same on both.
 */
function startsWith(column: 'subject' | 'kind', prefix: string) {
  return (eb: ExpressionBuilder<Database, 'events'>) =>
    eb(eb.fn<string>('substr', [eb.ref(column), eb.val(1), eb.val(prefix.length)]), '=', prefix);
}
