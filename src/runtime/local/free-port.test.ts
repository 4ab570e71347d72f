import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { allocatePort, ephemeralRange } from './free-port.js';

describe('allocatePort', () => {
  it('hands out a bindable port below the ephemeral range, different each time', async () => {
    const [low] = ephemeralRange();
    const ports = await Promise.all(Array.from({ length: 5 }, () => allocatePort()));

    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(low);
    }
    expect(new Set(ports).size).toBeGreaterThan(1);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(ports[0], '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });
});
