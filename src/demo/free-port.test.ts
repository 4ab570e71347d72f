import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';

describe('freePort', () => {
  it('never hands out the same port twice in one process', async () => {
    // The kernel may offer a port again as soon as it is closed; the CI failure of stop 15
    // was a route port equal to the API port taken a moment earlier.
    const ports = [];
    for (let i = 0; i < 300; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('picks ports below the ephemeral range, which outgoing connections never take', async (context) => {
    let low: number;
    try {
      low = Number(
        readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
      );
    } catch {
      context.skip();
      return;
    }
    // CI failed once on a route port from that range, taken meanwhile as the local side of one
    // of the test's own connections.
    for (let i = 0; i < 50; i++) expect(await freePort()).toBeLessThan(low);
  });
});
