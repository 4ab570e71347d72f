import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { FerryError } from '../errors/ferry-error.js';

/**
 * Binds `host:port` for a moment to learn whether the server will be able to listen there, and
 * throws `address_in_use` naming the address, what it is for and the process holding it (when
 * /proc tells). Port 0 is always free.
 *
 * @example await checkAddressFree({ host: '127.0.0.1', port: 7700 }, 'the API (--listen)')
 */
export async function checkAddressFree(
  address: { readonly host: string; readonly port: number },
  what: string,
): Promise<void> {
  if (address.port === 0) return;
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: address.host, port: address.port, exclusive: true }, resolve);
    });
  } catch (error) {
    throw addressInUse(address, what, error);
  }
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** `address_in_use` for an address the server could not listen on. */
export function addressInUse(
  address: { readonly host: string; readonly port: number },
  what: string,
  error: unknown,
): FerryError {
  const code = (error as NodeJS.ErrnoException).code ?? String(error);
  const holder = code === 'EADDRINUSE' ? portHolder(address.port) : undefined;
  const by = holder ? `, held by pid ${holder.pid} (${holder.name})` : '';
  return new FerryError(
    'address_in_use',
    `cannot listen on ${address.host}:${address.port} for ${what} (${code}${by}): ` +
      'stop what holds it, or choose another address',
    { cause: error, extra: { listen: address, holder: holder ?? null } },
  );
}

/**
 * The process with a listening TCP socket on `port`, found through /proc (Linux). Undefined
 * elsewhere, or when the holder is not ours to see.
 */
export function portHolder(port: number): { pid: number; name: string } | undefined {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      // st 0A is LISTEN; the local address ends in the port in hex.
      if (fields[3] === '0A' && local && parseInt(local.split(':')[1] ?? '', 16) === port) {
        inodes.add(fields[9] ?? '');
      }
    }
  }
  if (inodes.size === 0) return undefined;
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    for (const fd of safeReaddir(`/proc/${entry}/fd`)) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${entry}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode && inodes.has(inode)) return { pid: Number(entry), name: processName(entry) };
    }
  }
  return undefined;
}

function processName(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
