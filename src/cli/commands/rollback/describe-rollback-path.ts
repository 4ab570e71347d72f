import type { Deployment } from '../../api-types.js';

const strategyNames = { rolling: 'rolling', canary: 'canary', blueGreen: 'blue-green' } as const;

/**
 * Says which way a rollback goes, or undefined for a deployment (or a server that does not say).
 *
 * @example describeRollbackPath(d) // 'fast rollback to v1 (within rollbackWindow 3): no steps, no analysis'
 * @example describeRollbackPath(d) // 'rollback to v0 through the canary strategy: outside rollbackWindow 1'
 */
export function describeRollbackPath(d: Deployment): string | undefined {
  const path = d.rollback;
  if (d.kind !== 'rollback' || !path) return undefined;
  return path.fast
    ? `fast rollback to ${d.version} (within rollbackWindow ${path.window}): no steps, no analysis`
    : `rollback to ${d.version} through the ${strategyNames[path.strategy]} strategy: ` +
        `outside rollbackWindow ${path.window}`;
}
