import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesEqualLower, equalsLower, LowerNameTable } from './ascii-case.js';

describe('equalsLower', () => {
  it('agrees with toLowerCase for any latin1 name and any lower-case ASCII name', () => {
    const latin1 = fc.string({
      unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)),
    });
    const names = fc.constantFrom('host', 'connection', 'content-length', 'te', 'x-a');
    fc.assert(
      fc.property(latin1, names, (name, lower) => {
        expect(equalsLower(name, lower)).toBe(name.toLowerCase() === lower);
        // The same name as bytes, inside a larger buffer.
        const bytes = Buffer.from(`<${name}>`, 'latin1');
        expect(bytesEqualLower(bytes, 1, bytes.length - 1, lower)).toBe(
          name.toLowerCase() === lower,
        );
      }),
    );
    fc.assert(
      fc.property(names, fc.array(fc.boolean(), { minLength: 14, maxLength: 14 }), (lower, ups) => {
        const mixed = [...lower].map((c, i) => (ups[i] ? c.toUpperCase() : c)).join('');
        expect(equalsLower(mixed, lower)).toBe(true);
      }),
    );
  });

  it('does not fold non-ASCII letters or neighbours of A-Z', () => {
    // toLowerCase folds 'À' (0xC0) to 'à': field names are ASCII tokens, so no match either way.
    expect(equalsLower('@', '`')).toBe(false);
    expect(equalsLower('[', '{')).toBe(false);
    expect(equalsLower('\u00c0', '\u00e0')).toBe(false);
    expect(bytesEqualLower(Buffer.from([0xc0]), 0, 1, '\u00e0')).toBe(false);
    expect(bytesEqualLower(Buffer.from('@['), 0, 2, '`{')).toBe(false);
  });
});

describe('LowerNameTable', () => {
  it('finds entries in any case and nothing else', () => {
    const table = new LowerNameTable([
      ['Connection', 1],
      ['keep-alive', 2],
      ['te', 3],
    ]);
    expect(table.get('CONNECTION')).toBe(1);
    expect(table.get('Keep-Alive')).toBe(2);
    expect(table.get('TE')).toBe(3);
    expect(table.get('tf')).toBeUndefined();
    expect(table.get('a-very-long-name-without-entries')).toBeUndefined();
  });
});
