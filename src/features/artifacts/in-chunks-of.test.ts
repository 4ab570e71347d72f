import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inChunksOf } from './in-chunks-of.js';

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const pieces: Buffer[] = [];
  for await (const piece of source) pieces.push(Buffer.from(piece));
  return pieces;
}

describe('inChunksOf', () => {
  it('gives back the same bytes in pieces of exactly the size, the last one shorter', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 40 })),
        fc.integer({ min: 1, max: 16 }),
        async (arrays, size) => {
          const chunks = arrays.map((a) => Buffer.from(a));
          const pieces = await collect(inChunksOf(size, chunks));
          expect(Buffer.concat(pieces)).toEqual(Buffer.concat(chunks));
          expect(pieces.slice(0, -1).every((p) => p.length === size)).toBe(true);
          expect(pieces.every((p) => p.length > 0 && p.length <= size)).toBe(true);
        },
      ),
    );
  });
});
