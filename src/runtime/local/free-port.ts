import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Where local instances listen and are reached (probes, the router): loopback only. */
export const localInstanceHost = '127.0.0.1';

/** Lowest port handed out: above the well-known and most registered service ports. */
const lowestPort = 10_000;
const attempts = 20;

/**
 * Finds a free TCP port on 127.0.0.1 for an instance. Ports are picked at random below the
 * kernel's ephemeral range: outgoing connections (probes, the router's upstream connections)
 * take their local ports from that range, and an instance restarting on its port must not find
 * it taken by one of them. Each pick is checked by binding it; another process could still take
 * it before the instance binds it, and the instance then crashes and restarts like any crash.
 */
export async function allocatePort(host = localInstanceHost): Promise<number> {
  const [ephemeralLow] = ephemeralRange();
  const highest = ephemeralLow - 1;
  if (highest > lowestPort) {
    for (let i = 0; i < attempts; i += 1) {
      const port = lowestPort + Math.floor(Math.random() * (highest - lowestPort + 1));
      if (await canListen(host, port)) return port;
    }
  }
  return listenAndRelease(host, 0);
}

/** The kernel's range for ephemeral ports (`ip_local_port_range`), Linux's default if unknown. */
export function ephemeralRange(): readonly [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return [low ?? 32768, high ?? 60999];
  } catch {
    // Not Linux or no procfs: the default below.
  }
  return [32768, 60999];
}

async function canListen(host: string, port: number): Promise<boolean> {
  try {
    await listenAndRelease(host, port);
    return true;
  } catch {
    return false;
  }
}

function listenAndRelease(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (bound > 0 ? resolve(bound) : reject(new Error('no port allocated'))));
    });
  });
}
