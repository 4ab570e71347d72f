import { describe, expect, it } from 'vitest';
import { CounterLedger } from './counter-ledger.js';
import type { StatRow } from './haproxy-socket.js';
import { freeSlots, type Slot } from './listener-state.js';

const proxy = 'web.prod.main';
const row = (server: string, total: number, responses5xx = 0, responseMs = 10): StatRow => ({
  proxy,
  server,
  current: 0,
  total,
  responses5xx,
  responseErrors: 0,
  responseMs,
  totalMs: responseMs,
});
const slot = (
  name: string,
  id: string,
  track: Slot['track'],
  version: string,
  leaving = false,
): Slot => ({
  name,
  upstream: { id, host: '127.0.0.1', port: 9000, version },
  track,
  weight: 1,
  leaving,
});

describe('CounterLedger', () => {
  it('sums servers by track and version, counting from when each slot took its upstream', () => {
    const ledger = new CounterLedger();
    const slots = [slot('s1', 'a', 'stable', '1'), slot('s2', 'c', 'canary', '2')];
    ledger.follow(proxy, slots, [row('s1', 5), row('s2', 7)]);
    const figures = ledger.figures(proxy, slots, [row('s1', 105, 1, 20), row('s2', 27, 3, 40)]);
    expect(figures.tracks).toEqual({
      stable: expect.objectContaining({ version: '1', requests: 100, errors5xx: 1, p95Ms: 20 }),
      canary: expect.objectContaining({ version: '2', requests: 20, errors5xx: 3, p99Ms: 40 }),
    });
  });

  it('keeps what a reused slot served for its old track and version, and counts on past a reload', () => {
    const ledger = new CounterLedger();
    const first = [slot('s1', 'c1', 'canary', '2')];
    ledger.follow(proxy, first, []);
    // The canary's slot is freed (drained), then taken by a stable upstream of version 1.
    const freed = freeSlots(1, 1);
    ledger.follow(proxy, freed, [row('s1', 30, 6)]);
    const second = [slot('s1', 'a', 'stable', '1')];
    ledger.follow(proxy, second, [row('s1', 30, 6)]);
    // A canary of version 2 again, in another slot: it carries on from the 30 requests.
    const third = [...second, slot('s2', 'c2', 'canary', '2')];
    ledger.follow(proxy, third, [row('s1', 40), row('s2', 0)]);
    ledger.reloading(proxy, [row('s1', 50), row('s2', 10, 1)]);
    const figures = ledger.figures(proxy, third, [row('s1', 5), row('s2', 5)]);
    expect(figures.tracks.canary).toMatchObject({ version: '2', requests: 45, errors5xx: 7 });
    expect(figures.tracks.stable).toMatchObject({ version: '1', requests: 25 });
    const restored = new CounterLedger(ledger.toRecord());
    expect(restored.figures(proxy, third, [row('s1', 5), row('s2', 5)])).toEqual(figures);
  });

  it('leaves out tracks no serving slot is on', () => {
    const ledger = new CounterLedger();
    const slots = [slot('s1', 'a', 'stable', '1'), slot('s2', 'c', 'canary', '2', true)];
    ledger.follow(proxy, slots, []);
    expect(Object.keys(ledger.figures(proxy, slots, [row('s1', 3), row('s2', 3)]).tracks)).toEqual([
      'stable',
    ]);
  });
});
