import type { IncomingMessage } from 'node:http';
import type { RoutingTable } from '../../features/routing/traffic-router.js';
import { TrackBalancer } from './track-balancer.js';
import type { UpstreamPool } from './upstream-pool.js';
import type { UpstreamTarget } from './upstream-target.js';

/**
 * A routing table ready for the hot path. Immutable (only the round-robin cursors move): `apply`
 * builds a new one and swaps a single reference, so a request sees either the old table or the
 * new one, never a mix.
 */
export interface CompiledTable {
  readonly source: RoutingTable;
  /** Every target this table routes to, each once; their references are released with it. */
  readonly targets: readonly UpstreamTarget[];
  /**
   * Chooses the track that serves `request`. Today always `stable`; a weighted split between
   * stable and canary, header and cookie routes belong here.
   */
  pick(request: IncomingMessage): TrackBalancer;
}

/** Resolves the table's upstreams to pooled targets; `releaseTable` gives them back. */
export function compileTable(table: RoutingTable, pool: UpstreamPool): CompiledTable {
  const stable = new TrackBalancer(
    'stable',
    uniqueById(table.backends.stable ?? []).map((upstream) => pool.acquire(upstream)),
  );
  return Object.freeze({
    source: table,
    targets: stable.targets,
    pick: () => stable,
  });
}

export function releaseTable(table: CompiledTable, pool: UpstreamPool): void {
  for (const target of table.targets) pool.release(target);
}

function uniqueById<T extends { readonly id: string }>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    if (seen.has(item.id)) return false;
    seen.add(item.id);
    return true;
  });
}
