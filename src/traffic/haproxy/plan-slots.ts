import { freeSlots, type Slot } from './listener-state.js';
import type { WeightedUpstream } from './track-weights.js';

/** Slots a new listener starts with, and the least a backend grows by. */
export const initialSlots = 8;

/**
 * Places a table's weighted upstreams in a backend's slots: an upstream keeps its slot (track,
 * weight and address updated), a new one takes a free slot, and one that left the table keeps its slot
 * at weight 0, `leaving`, until it is drained. When the free slots run out the backend grows
 * (at least doubling), which needs a reload; `grew` says so.
 */
export function planSlots(
  current: readonly Slot[],
  wanted: readonly WeightedUpstream[],
): { readonly slots: Slot[]; readonly grew: boolean } {
  const byId = new Map(wanted.map((w) => [w.upstream.id, w]));
  const placed = new Set<string>();
  const slots: Slot[] = current.map((slot) => {
    if (slot.upstream === null) return slot;
    const want = byId.get(slot.upstream.id);
    if (want === undefined) return { ...slot, weight: 0, leaving: true };
    placed.add(want.upstream.id);
    return {
      ...slot,
      upstream: want.upstream,
      track: want.track,
      weight: want.weight,
      leaving: false,
    };
  });
  const newcomers = wanted.filter((w) => !placed.has(w.upstream.id));
  const free = slots.filter((slot) => slot.upstream === null).length;
  let grew = false;
  if (newcomers.length > free) {
    const more = Math.max(slots.length, initialSlots, newcomers.length - free);
    slots.push(...freeSlots(slots.length + 1, more));
    grew = true;
  }
  let next = 0;
  for (const want of newcomers) {
    while (slots[next]!.upstream !== null) next += 1;
    slots[next] = {
      name: slots[next]!.name,
      upstream: want.upstream,
      track: want.track,
      weight: want.weight,
      leaving: false,
    };
  }
  return { slots, grew };
}

/** The slot `upstreamId` is in, if any. */
export function slotOf(slots: readonly Slot[], upstreamId: string): Slot | undefined {
  return slots.find((slot) => slot.upstream?.id === upstreamId);
}

/**
 * Frees the slots of leavers that `idle` says serve nothing: upstreams that left a table but
 * were never drained (an instance that died, say) would otherwise hold their slots for ever.
 */
export function reclaimIdle(slots: readonly Slot[], idle: (name: string) => boolean): Slot[] {
  return slots.map((slot) =>
    slot.leaving && idle(slot.name)
      ? { name: slot.name, upstream: null, track: null, weight: 0, leaving: false }
      : slot,
  );
}
