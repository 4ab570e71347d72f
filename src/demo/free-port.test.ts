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
});
