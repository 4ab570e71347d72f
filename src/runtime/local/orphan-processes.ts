import { readdirSync, readlinkSync } from 'node:fs';
import { resolve, sep } from 'node:path';

/**
 * Processes whose stdout is a log file under `<dataDir>/logs/`: instances of this data dir,
 * whoever started them. Finds what a server killed between spawning a process and recording it
 * left behind. Linux only (reads /proc); elsewhere returns nothing.
 */
export function instanceProcesses(dataDir: string): { pid: number; logPath: string }[] {
  const logs = resolve(dataDir, 'logs') + sep;
  const found: { pid: number; logPath: string }[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const target = readlinkSync(`/proc/${entry}/fd/1`);
      if (target.startsWith(logs)) found.push({ pid: Number(entry), logPath: target });
    } catch {
      // Gone already, or not ours to read.
    }
  }
  return found;
}

/** SIGKILLs every instance process of a data dir except those of the kept log files. */
export function killOrphans(dataDir: string, keepLogPaths: ReadonlySet<string>): number[] {
  const killed: number[] = [];
  for (const { pid, logPath } of instanceProcesses(dataDir)) {
    if (keepLogPaths.has(logPath)) continue;
    try {
      process.kill(pid, 'SIGKILL');
      killed.push(pid);
    } catch {
      // Exited meanwhile.
    }
  }
  return killed;
}
