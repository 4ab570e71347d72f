import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** A lease owner id of its own for this process: `host/pid/random`, readable in a 409. */
export function randomLeaseOwner(): string {
  return `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
}

/**
 * The lease owner id of the server on `dataDir`: `host:dataDir#id`, with a random id kept in the
 * data folder's `server-id` (created on first use). Only one live server holds a data folder (its
 * lock), so a server restarted after a crash is the only one with this id and carries on with
 * the leases its previous run left, instead of waiting for them to expire.
 */
export function dataFolderLeaseOwner(dataDir: string): string {
  const file = join(dataDir, 'server-id');
  let id = readId(file);
  if (id === undefined) {
    id = randomBytes(8).toString('hex');
    writeFileSync(file, `${id}\n`, { mode: 0o600 });
  }
  return `${hostname()}:${dataDir}#${id}`;
}

function readId(file: string): string | undefined {
  try {
    const id = readFileSync(file, 'utf8').trim();
    return /^[0-9a-f]{16}$/.test(id) ? id : undefined;
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  }
}
