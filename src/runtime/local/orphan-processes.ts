import { readdirSync, readlinkSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { canonicalPath } from '../../shared/canonical-path.js';
import {
  findCgroupBase,
  InstanceCgroup,
  listInstanceCgroups,
  removeCgroupBase,
} from './cgroup-v2.js';
import { instanceMarkerVariable, parseInstanceMarker, runtimeKey } from './instance-marker.js';
import { listProcesses, processEnvValue } from './process-table.js';

/**
 * Processes whose stdout is a log file under `<dataDir>/logs/`: instances of this data dir,
 * whoever started them. Finds what a server killed between spawning a process and recording it
 * left behind. Linux only (reads /proc); elsewhere returns nothing.
 */
export function instanceProcesses(dataDir: string): { pid: number; logPath: string }[] {
  const logs = resolve(canonicalPath(dataDir), 'logs') + sep;
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

/**
 * Live processes carrying the marker of an instance of this data dir (set in every instance's
 * environment and inherited by everything it starts, detached or not), with their instance id.
 */
export function markedProcesses(dataDir: string): { pid: number; instanceId: string }[] {
  const key = runtimeKey(canonicalPath(dataDir));
  const found: { pid: number; instanceId: string }[] = [];
  for (const proc of listProcesses()) {
    if (proc.state === 'Z' || proc.pid === process.pid) continue;
    const marker = parseInstanceMarker(processEnvValue(proc, instanceMarkerVariable));
    if (marker?.key === key) found.push({ pid: proc.pid, instanceId: marker.instanceId });
  }
  return found;
}

/** What a sweep leaves alone: the supervised instances. */
export interface KeptInstances {
  readonly logPaths: ReadonlySet<string>;
  readonly instanceIds: ReadonlySet<string>;
}

/**
 * SIGKILLs every process of a data dir's instances except the kept ones: those writing to its
 * logs, those carrying its instance marker, and those in its instance cgroups (which are removed
 * once empty, waiting up to `timeoutMs`). Resolves to the killed pids.
 */
export async function killOrphans(
  dataDir: string,
  keep: KeptInstances = { logPaths: new Set(), instanceIds: new Set() },
  timeoutMs = 5000,
): Promise<number[]> {
  const pids = new Set<number>();
  for (const { pid, logPath } of instanceProcesses(dataDir)) {
    if (!keep.logPaths.has(logPath)) pids.add(pid);
  }
  for (const { pid, instanceId } of markedProcesses(dataDir)) {
    if (!keep.instanceIds.has(instanceId)) pids.add(pid);
  }
  const killed: number[] = [];
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
      killed.push(pid);
    } catch {
      // Exited meanwhile.
    }
  }
  const base = findCgroupBase(runtimeKey(canonicalPath(dataDir)));
  if (!base) return killed;
  const swept = listInstanceCgroups(base)
    .filter((name) => !keep.instanceIds.has(name))
    .map((name) => new InstanceCgroup(base, name));
  for (const cgroup of swept) {
    killed.push(...cgroup.pids());
    cgroup.kill();
  }
  // A killed process leaves its cgroup a moment later; a populated cgroup cannot be removed.
  const deadline = Date.now() + timeoutMs;
  for (const cgroup of swept) {
    while (!cgroup.remove() && Date.now() < deadline) await sleep(50);
  }
  if (keep.instanceIds.size === 0) removeCgroupBase(base);
  return killed;
}
