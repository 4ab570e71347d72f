import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Ports this process has handed out; the kernel may offer a just-closed port again. */
const handedOut = new Set<number>();

/**
 * A port that was free a moment ago on 127.0.0.1, and that this process has not handed out
 * before: two calls in a row never return the same port, even once the first is closed.
 *
 * It is picked below the kernel's ephemeral range (ip_local_port_range): a port from that range
 * can be taken, between this call and its listener, as the local side of any outgoing connection
 * (a database client, an HTTP request) — CI failed once on exactly that, a route port held by
 * the test's own process. Where the range cannot be read, or nothing below it is free, the
 * kernel picks (port 0) as before.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = (await portBelowEphemeral()) ?? (await listenOn(0));
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no free port that was not handed out already');
}

const lowestPort = 20_000;

async function portBelowEphemeral(): Promise<number | undefined> {
  const first = ephemeralStart();
  if (first === undefined || first - lowestPort < 1_000) return undefined;
  for (let attempt = 0; attempt < 20; attempt++) {
    const candidate = lowestPort + Math.floor(Math.random() * (first - lowestPort));
    if (handedOut.has(candidate)) continue;
    const port = await listenOn(candidate).catch(() => undefined);
    if (port !== undefined) return port;
  }
  return undefined;
}

let cachedStart: number | null | undefined;

/** The first port of Linux's ephemeral range, or undefined elsewhere. */
function ephemeralStart(): number | undefined {
  if (cachedStart === undefined) {
    try {
      const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
        .trim()
        .split(/\s+/);
      const value = Number(low);
      cachedStart = Number.isInteger(value) && value > 0 ? value : null;
    } catch {
      cachedStart = null;
    }
  }
  return cachedStart ?? undefined;
}

function listenOn(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
