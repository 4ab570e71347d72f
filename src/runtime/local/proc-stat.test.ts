import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { skipOrFail } from '../../../test/support/tmpfs.js';
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

describe('a process whose main thread ended while another thread runs', () => {
  // The kernel shows such a leader as a zombie, yet the process lives on (and holds its open
  // files) until its last thread ends: a router killed with SIGKILL passes through this state,
  // and a test that remounted its data folder read-only right then found it busy.
  it('reads as alive until its last thread ends', async (ctx) => {
    if (spawnSync('python3', ['--version']).status !== 0) {
      return skipOrFail('python3 is not installed (apt-get install python3)', (note) =>
        ctx.skip(note),
      );
    }
    const child = spawn(
      'python3',
      [
        '-c',
        'import threading, ctypes, time\n' +
          'threading.Thread(target=lambda: time.sleep(60)).start()\n' +
          'print("ready", flush=True)\n' +
          // SYS_exit (60 on x86-64) ends the calling thread only, unlike exit_group.
          'ctypes.CDLL(None).syscall(60, 0)\n',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await once(child.stdout, 'data');
      const pid = child.pid ?? -1;
      const start = readProcStat(pid)?.startTicks ?? -1;
      let raw = '';
      for (let i = 0; i < 200 && !raw.includes(') Z '); i++) {
        await sleep(10);
        raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
      }
      expect(raw).toContain(') Z ');
      expect(readProcStat(pid)?.state).not.toBe('Z');
      expect(isSameLiveProcess(pid, start)).toBe(true);

      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
      expect(readProcStat(pid)).toBeUndefined();
    } finally {
      child.kill('SIGKILL');
    }
  });
});
