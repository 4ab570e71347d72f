import type { Kysely, Selectable } from 'kysely';
import type { AuditLogTable, Database } from '../../store/schema.js';
import type { AuditEntry, AuditQuery, NewAuditEntry } from './domain/audit-entry.js';
import type { AuditStore } from './audit-store.js';

/** The audit log in `audit_log`; it inserts and selects, and the table refuses anything else. */
export class KyselyAuditStore implements AuditStore {
  constructor(private readonly db: Kysely<Database>) {}

  async append(e: NewAuditEntry): Promise<AuditEntry> {
    const row = await this.db
      .insertInto('audit_log')
      .values({
        at: e.at,
        actor: e.actor,
        actor_name: e.actorName,
        action: e.action,
        target: JSON.stringify(e.target),
        parameters: JSON.stringify(e.parameters),
        status: e.status,
        error_code: e.errorCode,
        before: e.before === null ? null : JSON.stringify(e.before),
        after: e.after === null ? null : JSON.stringify(e.after),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: Number(row.id), ...e };
  }

  async query(query: AuditQuery): Promise<readonly AuditEntry[]> {
    let select = this.db.selectFrom('audit_log').selectAll();
    const { actor, since } = query;
    if (actor !== undefined) {
      select = select.where((w) =>
        w.or([
          w('actor', '=', actor),
          w('actor', '=', `token:${actor}`),
          w('actor_name', '=', actor),
        ]),
      );
    }
    if (since !== undefined) select = select.where('at', '>=', since);
    const rows = await select.orderBy('id', 'desc').limit(query.limit).execute();
    return rows.map(toEntry);
  }
}

function toEntry(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    id: Number(row.id),
    at: row.at,
    actor: row.actor,
    actorName: row.actor_name,
    action: row.action,
    target: JSON.parse(row.target) as Record<string, string>,
    parameters: JSON.parse(row.parameters) as Record<string, unknown>,
    status: Number(row.status),
    errorCode: row.error_code,
    before: row.before === null ? null : (JSON.parse(row.before) as Record<string, unknown>),
    after: row.after === null ? null : (JSON.parse(row.after) as Record<string, unknown>),
  };
}
