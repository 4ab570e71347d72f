import { describe, expect, it } from 'vitest';
import { freeSlots, type Slot } from './listener-state.js';
import { resyncCommands, runtimeCommands } from './runtime-commands.js';

const upstream = (id: string, port: number) => ({ id, host: '127.0.0.1', port, version: '1' });
const slot = (name: string, over: Partial<Slot>): Slot => ({
  ...freeSlots(1, 1)[0]!,
  name,
  ...over,
});

describe('runtimeCommands', () => {
  it('brings newcomers up before it drains leavers, and sends only what changed', () => {
    const before = [
      slot('s1', { upstream: upstream('a', 9001), track: 'stable', weight: 256 }),
      slot('s2', { upstream: upstream('b', 9002), track: 'stable', weight: 256 }),
      slot('s3', {}),
    ];
    const after = [
      { ...before[0]!, weight: 0, leaving: true },
      { ...before[1]!, weight: 128 },
      slot('s3', { upstream: upstream('c', 9003), track: 'canary', weight: 32 }),
    ];
    expect(runtimeCommands('web.prod.main', before, after)).toEqual([
      'set server web.prod.main/s2 weight 128',
      'set server web.prod.main/s3 addr 127.0.0.1 port 9003',
      'set server web.prod.main/s3 weight 32',
      'set server web.prod.main/s3 state ready',
      'set server web.prod.main/s1 weight 0',
      'set server web.prod.main/s1 state drain',
    ]);
    expect(runtimeCommands('web.prod.main', after, after)).toEqual([]);
  });

  it('puts a freed slot in maintenance, and a returning upstream back to ready', () => {
    const leaving = slot('s1', { upstream: upstream('a', 9001), track: 'stable', leaving: true });
    expect(runtimeCommands('p', [leaving], [slot('s1', {})])).toEqual([
      'set server p/s1 state maint',
    ]);
    const back = { ...leaving, leaving: false, weight: 256 };
    expect(runtimeCommands('p', [leaving], [back])).toEqual([
      'set server p/s1 weight 256',
      'set server p/s1 state ready',
    ]);
  });

  it('says everything again on a resync', () => {
    const slots = [
      slot('s1', { upstream: upstream('a', 9001), track: 'stable', weight: 10 }),
      slot('s2', {}),
    ];
    expect(resyncCommands('p', slots)).toEqual([
      'set server p/s1 addr 127.0.0.1 port 9001',
      'set server p/s1 weight 10',
      'set server p/s1 state ready',
      'set server p/s2 state maint',
    ]);
  });
});
