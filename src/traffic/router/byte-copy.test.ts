import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findHeadEnd, LatinStrings, sameLatin1 } from './byte-copy.js';

describe('LatinStrings', () => {
  it('reads any bytes as toString does, whatever it read before', () => {
    // Short runs over few byte values: slots collide and strings repeat, as in real traffic.
    const run = fc
      .uint8Array({ minLength: 0, maxLength: 80 })
      .map((bytes) => bytes.map((b) => (b % 4 === 0 ? 0x2f : 0x41 + (b % 3))));
    const anyRun = fc.oneof(run, fc.uint8Array({ minLength: 0, maxLength: 80 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(anyRun, fc.nat(3), fc.nat(3)), { maxLength: 60 }), (reads) => {
        const strings = new LatinStrings();
        for (const [bytes, before, after] of reads) {
          // Inside a larger buffer, with other bytes around it.
          const buffer = Buffer.concat([
            Buffer.alloc(before, 0x3a),
            bytes,
            Buffer.alloc(after, 0x0d),
          ]);
          const expected = Buffer.from(bytes).toString('latin1');
          expect(strings.of(buffer, before, before + bytes.length)).toBe(expected);
        }
      }),
    );
  });

  it('gives back the same string for the same bytes', () => {
    const strings = new LatinStrings();
    const first = strings.of(Buffer.from('GET /a'), 4, 6);
    expect(strings.of(Buffer.from('x/a'), 1, 3)).toBe(first);
  });
});

describe('sameLatin1', () => {
  it('compares bytes with a string, length first', () => {
    const bytes = Buffer.from('keep-alive', 'latin1');
    expect(sameLatin1(bytes, 0, 10, 'keep-alive')).toBe(true);
    expect(sameLatin1(bytes, 0, 4, 'keep-alive')).toBe(false);
    expect(sameLatin1(bytes, 0, 4, 'keep')).toBe(true);
    expect(sameLatin1(bytes, 0, 4, 'kEep')).toBe(false);
    expect(sameLatin1(Buffer.from([0xe9]), 0, 1, '\u00e9')).toBe(true);
  });
});

describe('findHeadEnd', () => {
  it('finds the first CR LF CR LF in the range, as indexOf does', () => {
    const bytes = fc.array(fc.constantFrom(0x0d, 0x0a, 0x41, 0x3a), {
      minLength: 4,
      maxLength: 40,
      size: 'max',
    });
    fc.assert(
      fc.property(bytes, fc.nat(), fc.nat(), (values, a, b) => {
        const buffer = Buffer.from(values);
        const from = a % (buffer.length + 1);
        const to = from + (b % (buffer.length - from + 1));
        const found = buffer.subarray(0, to).indexOf('\r\n\r\n', from);
        expect(findHeadEnd(buffer, from, to)).toBe(found);
      }),
      { numRuns: 5000 },
    );
  });

  it('skips from an LF by two, not three: here the match starts right after it', () => {
    const bytes = Buffer.from('A\r\r\n\r\n', 'latin1');
    expect(findHeadEnd(bytes, 0, bytes.length)).toBe(2);
  });
});
