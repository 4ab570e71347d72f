import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { isLiveProcess } from '../../runtime/local/proc-stat.js';
import { listProcesses } from '../../runtime/local/process-table.js';
import { routerStatePath, routerStateSchema, type RouterState } from './control-protocol.js';

/**
 * What `<data>/router/router.json` says about the data folder's router; undefined when there is
 * no such file or it is not a router's state (half written, edited by hand).
 */
export function readRouterState(dataDir: string): RouterState | undefined {
  let text: string;
  try {
    text = readFileSync(routerStatePath(dataDir), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = routerStateSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True when the pid is a live `ferry router` process (its command line names the router), not
 * another process that took the pid of a router long gone.
 */
export function isRouterProcess(pid: number): boolean {
  if (!isLiveProcess(pid)) return false;
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.some((arg) => /router/.test(arg));
  } catch {
    return false;
  }
}

/**
 * SIGKILLs a router's process group (the router and its workers: it is spawned as a group leader)
 * and waits up to `timeoutMs` until none of them is left. Does nothing unless `pid` is a router.
 */
export async function killRouterGroup(pid: number, timeoutMs = 5_000): Promise<boolean> {
  if (pid === process.pid || !isRouterProcess(pid)) return false;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && groupLeft(pid)) await sleep(20);
  return true;
}

/**
 * SIGKILLs what is left of a router whose primary died: workers of its process group still
 * holding the route ports would keep a new router from opening them.
 */
export function killRouterLeftovers(pgid: number): number[] {
  const killed: number[] = [];
  for (const proc of listProcesses()) {
    if (proc.pgrp !== pgid || proc.state === 'Z' || proc.pid === process.pid) continue;
    if (!isRouterProcess(proc.pid)) continue;
    try {
      process.kill(proc.pid, 'SIGKILL');
      killed.push(proc.pid);
    } catch {
      // Gone meanwhile.
    }
  }
  return killed;
}

/** Whether a process of the group is still alive (not a zombie). */
function groupLeft(pgid: number): boolean {
  return listProcesses().some((p) => p.pgrp === pgid && p.state !== 'Z');
}
