import { createServer } from 'node:net';
import { FerryError } from '../errors/ferry-error.js';
import { findPortHolder, processName } from '../traffic/router/port-holder.js';

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
  const found = code === 'EADDRINUSE' ? findPortHolder(address.port) : undefined;
  const holder = found ? { pid: found.pid, name: processName(found.pid) } : undefined;
  const by = holder ? `, held by pid ${holder.pid} (${holder.name})` : '';
  return new FerryError(
    'address_in_use',
    `cannot listen on ${address.host}:${address.port} for ${what} (${code}${by}): ` +
      'stop what holds it, or choose another address',
    { cause: error, extra: { listen: address, holder: holder ?? null } },
  );
}
