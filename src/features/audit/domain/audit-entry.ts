/**
 * One mutating API call as the audit log keeps it. Rows are only ever appended: no API edits or
 * deletes them, and the database refuses to (triggers on `audit_log`).
 */
export interface AuditEntry {
  /** Increasing: the order calls were answered in. */
  readonly id: number;
  /** ISO-8601 UTC time of the answer. */
  readonly at: string;
  /** `token:<id>` or `local` (a tokenless call on loopback); `anonymous` for a refused call. */
  readonly actor: string;
  /** The token's name when the caller had a valid one. */
  readonly actorName: string | null;
  /** The route: method and URL pattern, `POST /api/v1/deployments`. */
  readonly action: string;
  /** What the call named: service, environment, id, version (whichever it had). */
  readonly target: Readonly<Record<string, string>>;
  /** Path, query and JSON body of the call, with secrets and tokens redacted. */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** The HTTP status answered. */
  readonly status: number;
  /** The error code of a refusal or failure (`forbidden`, `unauthorized`, `not_found`, ...). */
  readonly errorCode: string | null;
  /**
   * For a call naming a service and an environment: its newest deployment (id, version, phase)
   * before and after the call; null otherwise.
   */
  readonly before: Readonly<Record<string, unknown>> | null;
  readonly after: Readonly<Record<string, unknown>> | null;
}

/** An entry as the hook makes it; the store gives it its id. */
export type NewAuditEntry = Omit<AuditEntry, 'id'>;

/** Which entries `ferry audit` and `GET /api/v1/audit` ask for; newest first. */
export interface AuditQuery {
  /** `token:<id>`, a token's name or id, or `local`. */
  readonly actor?: string;
  /** ISO-8601: entries at or after it. */
  readonly since?: string;
  readonly limit: number;
}

const secretKey = /secret|token|password|passwd|authorization|api[-_]?key|credential/i;

/**
 * A copy of `value` with the value of every key that names a secret (`secret`, `token`,
 * `password`, `authorization`, `apiKey`, ...) replaced by `[redacted]`, at any depth.
 *
 * @example redact({ name: 'ci', secret: 'x' }) // { name: 'ci', secret: '[redacted]' }
 */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [key, secretKey.test(key) ? '[redacted]' : redact(v)]),
  );
}

/** Whether an entry matches `actor`: `token:<id>`, the bare id, the token's name, or `local`. */
export function actorMatches(entry: AuditEntry, actor: string): boolean {
  return entry.actor === actor || entry.actor === `token:${actor}` || entry.actorName === actor;
}
