import type { AuditEntry, AuditQuery, NewAuditEntry } from './domain/audit-entry.js';

/**
 * Persistence port for the audit log: append and read, nothing else. There is deliberately no
 * update or delete; the SQL table also refuses both with triggers.
 */
export interface AuditStore {
  append(entry: NewAuditEntry): Promise<AuditEntry>;
  /** Entries matching `query`, newest first. */
  query(query: AuditQuery): Promise<readonly AuditEntry[]>;
}
