import type { PlannedInstance } from './rolling-plan.js';

/**
 * Moves one set of instances toward `desired`: how many to start (at most `surge` starting at a
 * time) and which to stop (those not ready first).
 */
export function scaleSet(
  instances: readonly PlannedInstance[],
  desired: number,
  surge = Number.POSITIVE_INFINITY,
): { start: number; stop: string[] } {
  const live = instances.filter((i) => i.state !== 'stopping');
  if (live.length > desired) {
    const order = [...live].sort((a, b) => rank(a) - rank(b));
    return { start: 0, stop: order.slice(0, live.length - desired).map((i) => i.id) };
  }
  const pending = live.filter((i) => i.state === 'pending').length;
  const room = Math.max(0, Math.max(1, surge) - pending);
  return { start: Math.min(desired - live.length, room), stop: [] };
}

export function readyCount(instances: readonly PlannedInstance[]): number {
  return instances.filter((i) => i.state === 'ready').length;
}

function rank(instance: PlannedInstance): number {
  return instance.state === 'ready' ? 1 : 0;
}
