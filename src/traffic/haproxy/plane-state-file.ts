import { readFile, rename, writeFile } from 'node:fs/promises';
import type { LedgerRecord } from './counter-ledger.js';
import type { ListenerState } from './listener-state.js';

/** What the HAProxy data plane saves beside haproxy.cfg, so a restarted server adopts it. */
export interface PlaneState {
  readonly listeners: readonly (ListenerState & { readonly ledger: LedgerRecord })[];
}

/** The saved state, or undefined when there is none (or it cannot be read: start afresh). */
export async function readPlaneState(path: string): Promise<PlaneState | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as PlaneState;
    return Array.isArray(parsed.listeners) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Writes through a temporary file and a rename, so a crash leaves the old or the new state. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text, { mode: 0o600 });
  await rename(temporary, path);
}
