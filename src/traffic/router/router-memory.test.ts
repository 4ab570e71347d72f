import { request } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { Router } from './router.js';
import { routingTable, startUpstream } from './test-upstreams.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** V8's collector, reachable without `--expose-gc` on the command line. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Bytes held alive right now: heap plus Buffers, after a full collection. */
function liveBytes(gc: () => void): number {
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

describe('Router memory', () => {
  it('streams a 50 MB upload to a slow reader holding only a bounded window in memory', async () => {
    const gc = exposeGc();
    const total = 50 * 1024 * 1024;
    let received = 0;
    const slow = await startUpstream('slow', (req, res) => {
      // Pauses after every chunk: the router must hold the client back, not buffer for it.
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        req.pause();
        setTimeout(() => req.resume(), 1);
      });
      req.on('end', () => res.writeHead(200).end(String(received)));
    });
    cleanups.push(() => slow.close());
    const router = new Router();
    cleanups.push(() => router.close());
    await router.apply(routingTable([slow.upstream]));
    const port = router.address('web', 'test')?.port ?? 0;
    const baseline = liveBytes(gc);
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, liveBytes(gc) - baseline)), 100);

    // One 64 KiB buffer written over and over: the client itself allocates nothing per chunk.
    const chunk = Buffer.alloc(64 * 1024, 7);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, method: 'PUT', path: '/upload', agent: false },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      let sent = 0;
      const pump = () => {
        while (sent < total) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    clearInterval(sampler);

    expect(status).toBe(200);
    expect(received).toBe(total);
    // A router that buffered the upload would hold ~50 MB here. Measured: 5–6 MB on a quiet
    // machine, up to 13.4 MB with both cores busy (before and after the router's direct socket
    // reads alike; CI failed once at 12 MB), so the bound leaves room for load, not for buffering.
    expect(peak).toBeLessThan(20 * 1024 * 1024);
  });
});
