import { createServer } from 'node:net';
import { FerryError } from '../../errors/ferry-error.js';
import type { RoutingTable } from '../../features/routing/traffic-router.js';

type Address = { readonly host: string; readonly port: number };

const wildcardHosts = new Set(['0.0.0.0', '::']);

/** Two binds clash on one port when their hosts are the same or either is a wildcard. */
export function clashes(a: Address, b: Address): boolean {
  if (a.port !== b.port) return false;
  const host = (h: string) => (h === 'localhost' ? '127.0.0.1' : h);
  return wildcardHosts.has(a.host) || wildcardHosts.has(b.host) || host(a.host) === host(b.host);
}

/**
 * Whether nothing listens on the address: HAProxy would fail to load a config binding it, and a
 * failed reload pauses every frontend for a moment, so Ferry looks first.
 */
export function addressFree(address: Address): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host: address.host, port: address.port, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/** Whether two addresses are written the same. */
export function sameAddress(
  a: { host: string; port: number },
  b: { host: string; port: number },
): boolean {
  return a.host === b.host && a.port === b.port;
}

/** `conflict`: a table's listener cannot open at its address, and why. */
export function listenConflict(table: RoutingTable, why: unknown): FerryError {
  const { host, port } = table.listen;
  const reason = why instanceof Error ? why.message : String(why);
  return new FerryError(
    'conflict',
    `${table.service}/${table.environment}: cannot listen on ${host}:${port} (${reason}); choose a free address in routes`,
    { cause: why, extra: { listen: table.listen } },
  );
}
