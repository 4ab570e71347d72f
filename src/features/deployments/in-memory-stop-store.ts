import { copyRow, duplicateKey } from '../../store/in-memory-rows.js';
import type { ServiceStop, StopStore } from './stop-store.js';

type Scope = { readonly service: string; readonly environment: string };

const keyOf = (scope: Scope) => JSON.stringify([scope.service, scope.environment]);

/** StopStore in memory, for tests: one stop per service/environment, like the table's key. */
export class InMemoryStopStore implements StopStore {
  private readonly stops = new Map<string, ServiceStop>();

  async get(scope: Scope): Promise<ServiceStop | undefined> {
    const stop = this.stops.get(keyOf(scope));
    return stop && copyRow(stop);
  }

  async insert(stop: ServiceStop): Promise<void> {
    const key = keyOf(stop);
    if (this.stops.has(key)) throw duplicateKey('service_stops', key);
    this.stops.set(key, copyRow(stop));
  }

  async remove(scope: Scope): Promise<void> {
    this.stops.delete(keyOf(scope));
  }
}
