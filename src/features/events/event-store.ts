import type { EventQuery, FerryEvent, NewEvent } from './event.js';

/** Persistence port of the event log. */
export interface EventStore {
  append(event: NewEvent & { readonly time: string }): Promise<FerryEvent>;
  list(query: EventQuery): Promise<readonly FerryEvent[]>;
}
