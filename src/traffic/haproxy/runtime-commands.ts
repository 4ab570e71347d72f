import type { Slot } from './listener-state.js';

/**
 * The Runtime API commands that move a backend's servers from `before` to `after` without a
 * reload: servers that serve come up first (address, weight, `ready`), then servers that leave
 * are set to `drain`, so at no instant does the backend have fewer servers than either table.
 */
export function runtimeCommands(
  proxy: string,
  before: readonly Slot[],
  after: readonly Slot[],
): string[] {
  const up: string[] = [];
  const down: string[] = [];
  after.forEach((slot, index) => {
    const old = before[index];
    const server = `${proxy}/${slot.name}`;
    const target = slot.upstream;
    if (target === null) {
      if (old?.upstream != null) down.push(`set server ${server} state maint`);
      return;
    }
    const moved =
      old?.upstream == null ||
      old.upstream.host !== target.host ||
      old.upstream.port !== target.port;
    if (slot.leaving) {
      if (!old?.leaving)
        down.push(`set server ${server} weight 0`, `set server ${server} state drain`);
      return;
    }
    if (moved) up.push(`set server ${server} addr ${target.host} port ${target.port}`);
    if (moved || old?.weight !== slot.weight) up.push(`set server ${server} weight ${slot.weight}`);
    if (moved || old?.leaving || old?.upstream == null) up.push(`set server ${server} state ready`);
  });
  return [...up, ...down];
}

/** Every command that puts a backend's servers where `slots` say, whatever they were. */
export function resyncCommands(proxy: string, slots: readonly Slot[]): string[] {
  return runtimeCommands(proxy, [], slots).concat(
    slots
      .filter((slot) => slot.upstream === null)
      .map((slot) => `set server ${proxy}/${slot.name} state maint`),
  );
}
