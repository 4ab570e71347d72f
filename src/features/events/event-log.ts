import { EventEmitter } from 'node:events';
import type { Clock } from '../../shared/clock.js';
import type { EventQuery, FerryEvent, NewEvent } from './event.js';
import type { EventStore } from './event-store.js';

/** Appends events and fans them out to live subscribers (SSE, CLI `--follow`). */
export class EventLog {
  private readonly emitter = new EventEmitter();

  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {
    this.emitter.setMaxListeners(0);
  }

  async append(event: NewEvent): Promise<FerryEvent> {
    const stored = await this.store.append({
      ...event,
      time: new Date(this.clock.now()).toISOString(),
    });
    this.emitter.emit('event', stored);
    return stored;
  }

  /** Tells live subscribers of events another store stored in its own transaction. */
  announce(events: readonly FerryEvent[]): void {
    for (const event of events) this.emitter.emit('event', event);
  }

  list(query: EventQuery): Promise<readonly FerryEvent[]> {
    return this.store.list(query);
  }

  /** Calls `listener` for every event appended from now on; returns the unsubscribe function. */
  subscribe(listener: (event: FerryEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
