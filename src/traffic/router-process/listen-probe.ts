import { createServer } from 'node:net';
import { FerryError } from '../../errors/ferry-error.js';
import { describePortHolder } from '../router/port-holder.js';

/**
 * Binds `host:port` for a moment to learn whether the workers could listen there, and which port
 * port 0 gives. The workers then listen on the same address; the primary checks first so a
 * refused address never reaches them (Node's cluster would remember the failed listen).
 */
export function probeListen(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      const bound = (server.address() as { port: number }).port;
      server.close(() => resolve(bound));
    });
  });
}

/** The error Ferry's router gives for an address it cannot listen on. */
export function listenConflict(
  service: string,
  environment: string,
  host: string,
  port: number,
  code: string,
  held = code === 'EADDRINUSE' ? `: port ${port} is held ${describePortHolder(port)}` : '',
): FerryError {
  return new FerryError(
    'conflict',
    `${service}/${environment}: cannot listen on ${host}:${port} (${code})${held}; ` +
      'choose a free address in routes',
    { extra: { listen: { host, port } } },
  );
}

/** Probes until the address is free or `timeoutMs` passed; the last error code, or undefined. */
export async function waitUntilFree(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await probeListen(host, port);
      return undefined;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      if (code !== 'EADDRINUSE' || Date.now() > deadline) return code;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
