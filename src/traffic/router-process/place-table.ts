import type { RoutingTable } from '../../features/routing/traffic-router.js';
import { listenConflict, probeListen } from './listen-probe.js';
import { tableKey } from './table-book.js';

/**
 * The table with a concrete port (port 0 keeps the port its listener has, or gets a free one),
 * after checking that no other listener of the router (`held`), and no other process, holds the address.
 */
export async function placeTable(
  key: string,
  table: RoutingTable,
  current: RoutingTable | null,
  held: readonly RoutingTable[],
): Promise<RoutingTable> {
  const { host, port } = table.listen;
  if (
    current !== null &&
    current.listen.host === host &&
    (port === 0 || port === current.listen.port)
  ) {
    return { ...table, listen: { host, port: current.listen.port } };
  }
  if (port !== 0) {
    const holder = held.find(
      (other) =>
        tableKey(other.service, other.environment, other.listener) !== key &&
        clash(other.listen, table.listen),
    );
    if (holder !== undefined) {
      throw listenConflict(
        table.service,
        table.environment,
        host,
        port,
        'EADDRINUSE',
        `: port ${port} is held by this router for ${holder.service}/${holder.environment} (${holder.listener ?? 'main'})`,
      );
    }
  }
  try {
    const bound = await probeListen(host, port);
    return { ...table, listen: { host, port: bound } };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw listenConflict(table.service, table.environment, host, port, code);
  }
}

const wildcards = new Set(['0.0.0.0', '::', '']);

/** Whether two listen addresses would collide. */
function clash(a: RoutingTable['listen'], b: RoutingTable['listen']): boolean {
  return a.port === b.port && (a.host === b.host || wildcards.has(a.host) || wildcards.has(b.host));
}
