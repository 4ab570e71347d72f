import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { isErrno } from './errno.js';
import { readProcStat } from './proc-stat.js';

/**
 * Sends a signal to every process of a group. Instances run in their own group, so a shell
 * wrapper and the server it started are signalled together. Returns false when no process of
 * the group exists.
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if (isErrno(error, 'ESRCH')) return false;
    throw error;
  }
}

/**
 * Pids of the live (non-zombie) members of a process group. Zombies are left out: an orphan
 * whose new parent never reaps it stays a zombie, yet it holds no port and runs no code.
 */
export function liveGroupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (stat && stat.pgrp === pgid && stat.state !== 'Z') members.push(stat.pid);
  }
  return members;
}

/** True while at least one non-zombie process of the group is left. */
export function isGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    if (isErrno(error, 'ESRCH')) return false;
    if (!isErrno(error, 'EPERM')) throw error;
  }
  // kill(0) also succeeds for zombies, so look at the members themselves.
  return liveGroupMembers(pgid).length > 0;
}

/**
 * Polls until the group has no live member; true if that happened within `timeoutMs`. The poll
 * timer stays referenced: a caller awaiting this keeps the process alive until it settles.
 */
export async function waitForGroupExit(
  pgid: number,
  timeoutMs: number,
  pollMs = 50,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isGroupAlive(pgid)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(pollMs, Math.max(1, deadline - Date.now())));
  }
}
