import { createHash } from 'node:crypto';

/**
 * Set in every instance's environment and inherited by everything it starts, even a process that
 * detaches with `setsid` or double-forks: `<runtime key>:<instance id>`. The runtime finds the
 * processes of an instance (and of a data folder) by it when no cgroup holds them.
 */
export const instanceMarkerVariable = 'FERRY_INSTANCE_ID';

/** Identifies one data folder (its canonical path) among the runtimes of a machine. */
export function runtimeKey(canonicalDataDir: string): string {
  return createHash('sha256').update(canonicalDataDir).digest('hex').slice(0, 12);
}

export function instanceMarker(key: string, instanceId: string): string {
  return `${key}:${instanceId}`;
}

/** `abc:web-1` → `{ key: 'abc', instanceId: 'web-1' }`; anything else is undefined. */
export function parseInstanceMarker(
  value: string | undefined,
): { readonly key: string; readonly instanceId: string } | undefined {
  const colon = value?.indexOf(':') ?? -1;
  if (value === undefined || colon <= 0) return undefined;
  return { key: value.slice(0, colon), instanceId: value.slice(colon + 1) };
}
