import { describe, expect, it } from 'vitest';
import { mapInOrder } from './map-in-order.js';

describe('mapInOrder', () => {
  it('returns results in the order of the items, whatever order the calls end in', async () => {
    const delays = [30, 0, 20, 5, 10, 0, 15];
    const results = await mapInOrder(delays, 3, async (delay) => {
      await new Promise((resolve) => setTimeout(resolve, delay));
      return delay * 2;
    });
    expect(results).toEqual(delays.map((delay) => delay * 2));
  });

  it('never has more than the limit of calls in flight', async () => {
    let inFlight = 0;
    let most = 0;
    await mapInOrder(
      Array.from({ length: 50 }, (_, i) => i),
      4,
      async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
      },
    );
    expect(most).toBe(4);
  });

  it('rejects with the first failure', async () => {
    await expect(
      mapInOrder([1, 2, 3], 2, async (n) => {
        if (n === 2) throw new Error('two');
        return n;
      }),
    ).rejects.toThrow('two');
  });
});
