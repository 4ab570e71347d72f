import { copyRow } from '../../store/in-memory-rows.js';
import type { EventQuery, FerryEvent, NewEvent } from './event.js';
import type { EventStore } from './event-store.js';

/** EventStore in memory, for tests: ids count up from 1 in append order, like the table's. */
export class InMemoryEventStore implements EventStore {
  private readonly events: FerryEvent[] = [];

  async append(event: NewEvent & { readonly time: string }): Promise<FerryEvent> {
    const stored = { ...copyRow(event), id: this.events.length + 1 };
    this.events.push(stored);
    return copyRow(stored);
  }

  async list(query: EventQuery): Promise<readonly FerryEvent[]> {
    const matching = this.events.filter(
      (e) =>
        (query.after === undefined || e.id > query.after) &&
        e.subject.startsWith(query.subjectPrefix ?? '') &&
        e.kind.startsWith(query.kindPrefix ?? '') &&
        (query.since === undefined || e.time >= query.since),
    );
    const limit = query.limit ?? 1000;
    const page = query.latest ? matching.slice(-limit) : matching.slice(0, limit);
    return page.map(copyRow);
  }
}
