/** One entry of Ferry's append-only event log: every state change is one of these. */
export interface FerryEvent {
  readonly id: number;
  /** ISO-8601 UTC. */
  readonly time: string;
  /** Who caused it: `user:<name>`, `controller`, `runtime`. */
  readonly actor: string;
  /** Dotted kind, e.g. `deployment.created`, `instance.crashed`. */
  readonly kind: string;
  /** What it is about: `deployment/<id>`, `instance/<id>`, `service/<name>/<env>`. */
  readonly subject: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

export type NewEvent = Omit<FerryEvent, 'id' | 'time'>;

export interface EventQuery {
  /** Only events with an id greater than this (for paging and resuming a stream). */
  readonly after?: number;
  /** Only events whose subject begins with this, literally and case-sensitively. */
  readonly subjectPrefix?: string;
  /** Only events whose kind begins with this, literally and case-sensitively. */
  readonly kindPrefix?: string;
  /** Only events at or after this ISO-8601 time. */
  readonly since?: string;
  readonly limit?: number;
  /** The last `limit` matching events instead of the first ones (still returned oldest first). */
  readonly latest?: boolean;
}
