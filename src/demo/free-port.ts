import { createServer } from 'node:net';

/** Ports this process has handed out; the kernel may offer a just-closed port again. */
const handedOut = new Set<number>();

/**
 * A port that was free a moment ago on 127.0.0.1, and that this process has not handed out
 * before: two calls in a row never return the same port, even once the first is closed.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await kernelPort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no free port that was not handed out already');
}

function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
