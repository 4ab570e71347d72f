import { readdirSync, readFileSync } from 'node:fs';

/** The fields of `/proc/<pid>/stat` that the local runtime relies on. */
export interface ProcStat {
  readonly pid: number;
  readonly comm: string;
  /** One letter: R running, S sleeping, D disk sleep, Z zombie, T stopped, ... */
  readonly state: string;
  readonly ppid: number;
  readonly pgrp: number;
  /** Field 22: start time in clock ticks since boot. With the pid it names a process uniquely. */
  readonly startTicks: number;
}

/**
 * Parses one `/proc/<pid>/stat` line. `comm` (field 2) is in parentheses and may itself contain
 * spaces and parentheses, so the fixed fields are split after the last `)`.
 *
 * @example parseProcStat('42 (my (odd) name) S 1 42 42 ...').pgrp // 42
 */
export function parseProcStat(line: string): ProcStat | undefined {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  // After the comm: field 3 (state) is rest[0], so field n is rest[n - 3].
  const rest = line
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const pid = Number(line.slice(0, open).trim());
  const state = rest[0];
  const ppid = Number(rest[1]);
  const pgrp = Number(rest[2]);
  const startTicks = Number(rest[22 - 3]);
  if (state === undefined || ![pid, ppid, pgrp, startTicks].every(Number.isInteger)) {
    return undefined;
  }
  return { pid, comm: line.slice(open + 1, close), state, ppid, pgrp, startTicks };
}

/**
 * Reads and parses `/proc/<pid>/stat`; undefined when the process does not exist (any more).
 *
 * A process whose main thread ended while other threads still run shows `Z` in its own stat line,
 * yet it lives (and holds its open files and sockets) until its last thread ends: a multi-threaded
 * process killed with SIGKILL passes through that state. Such a process reads with the state of
 * a thread still running, so `Z` means that every thread has ended.
 */
export function readProcStat(pid: number): ProcStat | undefined {
  const stat = readStatFile(`/proc/${pid}/stat`);
  if (stat?.state !== 'Z') return stat;
  const running = liveThreadState(pid);
  return running === undefined ? stat : { ...stat, state: running };
}

function readStatFile(path: string): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The state of a thread of `pid` other than its main one that has not ended, if any. */
function liveThreadState(pid: number): string | undefined {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  for (const tid of tids) {
    if (tid === String(pid)) continue;
    const state = readStatFile(`/proc/${pid}/task/${tid}/stat`)?.state;
    if (state !== undefined && state !== 'Z' && state !== 'X') return state;
  }
  return undefined;
}

/** True when a process with this pid exists and is not a zombie (some thread of it runs). */
export function isLiveProcess(pid: number): boolean {
  const stat = readProcStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

/** True when the process exists, is the same one (start ticks) and is not a zombie. */
export function isSameLiveProcess(pid: number, startTicks: number): boolean {
  const stat = readProcStat(pid);
  return stat !== undefined && stat.startTicks === startTicks && stat.state !== 'Z';
}
