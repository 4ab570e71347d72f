import { describe, expect, it } from 'vitest';
import type { Upstream } from '../../features/routing/traffic-router.js';
import { freeSlots } from './listener-state.js';
import { initialSlots, planSlots, reclaimIdle } from './plan-slots.js';
import type { WeightedUpstream } from './track-weights.js';

const up = (id: string, port = 9000): Upstream => ({ id, host: '127.0.0.1', port, version: '1' });
const stable = (upstream: Upstream, weight = 256): WeightedUpstream => ({
  upstream,
  track: 'stable',
  weight,
});

describe('planSlots', () => {
  it('keeps an upstream in its slot, puts a newcomer in the first free one, and marks leavers', () => {
    const first = planSlots(freeSlots(1, initialSlots), [stable(up('a')), stable(up('b'))]);
    expect(first.grew).toBe(false);
    expect(first.slots.slice(0, 3).map((s) => s.upstream?.id ?? null)).toEqual(['a', 'b', null]);
    const second = planSlots(first.slots, [stable(up('b'), 100), stable(up('c'))]);
    expect(
      second.slots.slice(0, 3).map((s) => [s.name, s.upstream?.id, s.weight, s.leaving]),
    ).toEqual([
      ['s1', 'a', 0, true],
      ['s2', 'b', 100, false],
      ['s3', 'c', 256, false],
    ]);
  });

  it('follows an upstream to its new address in the same slot', () => {
    const first = planSlots(freeSlots(1, 2), [stable(up('a', 9000))]);
    const moved = planSlots(first.slots, [stable(up('a', 9001))]);
    expect(moved.slots[0]?.upstream?.port).toBe(9001);
    expect(moved.grew).toBe(false);
  });

  it('grows, at least doubling, when the free slots run out; leaving slots are not reused', () => {
    const full = planSlots(freeSlots(1, 2), [stable(up('a')), stable(up('b'))]);
    const grown = planSlots(full.slots, [stable(up('c')), stable(up('d')), stable(up('e'))]);
    expect(grown.grew).toBe(true);
    expect(grown.slots.length).toBeGreaterThanOrEqual(initialSlots + 2);
    expect(grown.slots.map((s) => s.name).slice(0, 5)).toEqual(['s1', 's2', 's3', 's4', 's5']);
    expect(grown.slots.slice(0, 5).map((s) => [s.upstream?.id, s.leaving])).toEqual([
      ['a', true],
      ['b', true],
      ['c', false],
      ['d', false],
      ['e', false],
    ]);
  });

  it('takes back idle leavers’ slots, and only those', () => {
    const full = planSlots(freeSlots(1, 2), [stable(up('a')), stable(up('b'))]);
    const left = planSlots(full.slots, [stable(up('b'))]).slots;
    const reclaimed = reclaimIdle(left, () => true);
    expect(reclaimed.map((s) => s.upstream?.id ?? null)).toEqual([null, 'b']);
    expect(reclaimIdle(left, (name) => name !== 's1')).toEqual(left);
    expect(planSlots(reclaimed, [stable(up('b')), stable(up('c'))]).grew).toBe(false);
  });
});
