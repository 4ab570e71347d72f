import { describe, expect, it } from 'vitest';
import { isSameLiveProcess, parseProcStat, readProcStat } from './proc-stat.js';

/** Fields 3..22 after the comm, with state S, ppid 1, pgrp 4242 and start ticks 987654. */
const tail = 'S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 200';

describe('parseProcStat', () => {
  it('reads state, ppid, pgrp and start ticks', () => {
    expect(parseProcStat(`4242 (node) ${tail}`)).toEqual({
      pid: 4242,
      comm: 'node',
      state: 'S',
      ppid: 1,
      pgrp: 4242,
      startTicks: 987654,
    });
  });

  it('splits after the last parenthesis, so a comm with spaces and parentheses parses', () => {
    const stat = parseProcStat(`77 (my (odd) ) ${tail}`);
    expect(stat).toMatchObject({
      pid: 77,
      comm: 'my (odd) ',
      state: 'S',
      pgrp: 4242,
      startTicks: 987654,
    });
    expect(parseProcStat(`78 (a) b) c) ${tail}`)).toMatchObject({
      comm: 'a) b) c',
      startTicks: 987654,
    });
  });

  it('rejects lines that are cut short or have no comm', () => {
    expect(parseProcStat('12 (node) S 1 12')).toBeUndefined();
    expect(parseProcStat('garbage')).toBeUndefined();
  });
});

describe('readProcStat', () => {
  it('reads this very process, and nothing for a pid that does not exist', () => {
    const own = readProcStat(process.pid);
    expect(own?.pid).toBe(process.pid);
    expect(own?.ppid).toBe(process.ppid);
    expect(own?.startTicks).toBeGreaterThan(0);
    expect(isSameLiveProcess(process.pid, own?.startTicks ?? -1)).toBe(true);
    expect(isSameLiveProcess(process.pid, (own?.startTicks ?? 0) + 1)).toBe(false);
    expect(readProcStat(2 ** 22 + 1)).toBeUndefined();
  });
});
