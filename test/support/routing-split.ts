import type { RoutingTable } from '../../src/features/routing/traffic-router.js';

/** Share of traffic per version on a table: canary weight to the canary set, the rest stable. */
export function splitOf(table: RoutingTable | undefined): Record<string, number> {
  if (!table) return {};
  const split: Record<string, number> = {};
  const add = (upstreams: RoutingTable['backends']['stable'], share: number) => {
    if (!upstreams || upstreams.length === 0 || share <= 0) return;
    for (const version of new Set(upstreams.map((u) => u.version))) {
      split[version] = (split[version] ?? 0) + share;
    }
  };
  const canary = table.canaryWeight ?? 0;
  const baseline = table.baselineWeight ?? 0;
  add(table.backends.canary, canary);
  add(table.backends.baseline, baseline);
  add(table.backends.stable, 100 - canary - baseline);
  return split;
}
