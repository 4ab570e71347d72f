import { readdirSync, readFileSync } from 'node:fs';
import { readProcStat, type ProcStat } from './proc-stat.js';

/** Every process visible in /proc, read now. Processes that vanish meanwhile are left out. */
export function listProcesses(): ProcStat[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const found: ProcStat[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (stat) found.push(stat);
  }
  return found;
}

/** Values read from /proc/<pid>/environ, per `pid:startTicks`: an environment read once is kept. */
const environCache = new Map<string, string | undefined>();
const environCacheLimit = 20_000;

/**
 * The value of one variable in the environment a process was started (or last exec'd) with,
 * from /proc/<pid>/environ. Undefined when it is not set or the process cannot be read.
 */
export function processEnvValue(stat: ProcStat, name: string): string | undefined {
  const key = `${stat.pid}:${stat.startTicks}:${name}`;
  if (environCache.has(key)) return environCache.get(key);
  let value: string | undefined;
  try {
    const prefix = `${name}=`;
    const entry = readFileSync(`/proc/${stat.pid}/environ`, 'latin1')
      .split('\0')
      .find((line) => line.startsWith(prefix));
    value = entry?.slice(prefix.length);
  } catch {
    // Gone, or not ours to read: then not ours to kill either. Not cached: it may be retried.
    return undefined;
  }
  if (environCache.size >= environCacheLimit) environCache.clear();
  environCache.set(key, value);
  return value;
}
