import { copyRow } from '../../store/in-memory-rows.js';
import {
  actorMatches,
  type AuditEntry,
  type AuditQuery,
  type NewAuditEntry,
} from './domain/audit-entry.js';
import type { AuditStore } from './audit-store.js';

/** AuditStore in memory, for tests: appended rows only. */
export class InMemoryAuditStore implements AuditStore {
  private readonly entries: AuditEntry[] = [];

  async append(entry: NewAuditEntry): Promise<AuditEntry> {
    const row = { id: this.entries.length + 1, ...copyRow(entry) };
    this.entries.push(row);
    return copyRow(row);
  }

  async query(query: AuditQuery): Promise<readonly AuditEntry[]> {
    const { actor, since } = query;
    return this.entries
      .filter((e) => actor === undefined || actorMatches(e, actor))
      .filter((e) => since === undefined || e.at >= since)
      .reverse()
      .slice(0, query.limit)
      .map(copyRow);
  }
}
