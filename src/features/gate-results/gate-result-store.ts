import type { GateResult } from './domain/gate-result.js';

/** Persistence port for gate results: append-only, nothing is ever updated or deleted. */
export interface GateResultStore {
  append(result: GateResult): Promise<void>;
  /** Every report about one artifact (by digest) of a service, newest first. */
  listFor(service: string, digest: string): Promise<readonly GateResult[]>;
}
