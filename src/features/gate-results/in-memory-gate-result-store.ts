import { compareText, copyRow } from '../../store/in-memory-rows.js';
import type { GateResult } from './domain/gate-result.js';
import type { GateResultStore } from './gate-result-store.js';

/** GateResultStore in memory, for tests: appended rows only, read newest first like the table. */
export class InMemoryGateResultStore implements GateResultStore {
  private readonly results: GateResult[] = [];

  async append(result: GateResult): Promise<void> {
    if (this.results.some((r) => r.id === result.id)) {
      throw new Error(`gate_results: a row with key ${result.id} already exists`);
    }
    this.results.push(copyRow(result));
  }

  async listFor(service: string, digest: string): Promise<readonly GateResult[]> {
    return this.results
      .filter((r) => r.service === service && r.digest === digest)
      .sort((a, b) => compareText(b.reportedAt, a.reportedAt) || compareText(b.id, a.id))
      .map(copyRow);
  }
}
