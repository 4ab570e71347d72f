import { describe, expect, it } from 'vitest';
import { SourceText } from './source-text.js';

describe('SourceText', () => {
  const text = new SourceText('-- café\nSELECT "été", 1;\n');

  it('turns byte offsets into 1-based lines and character columns', () => {
    expect(text.positionAt(0)).toEqual({ line: 1, column: 1 });
    // "SELECT "été", " is 14 characters but 16 bytes; line 2 starts at byte 9.
    expect(text.positionAt(9 + 16)).toEqual({ line: 2, column: 15 });
  });

  it('reads squawk positions (0-based line, byte column) and parser character offsets', () => {
    expect(text.offsetOfLineColumn(1, 16)).toBe(9 + 16);
    expect(text.offsetOfCharacter('-- café\nSELECT "été", '.length)).toBe(9 + 16);
  });

  it('skips whitespace, line comments and nested block comments to the statement', () => {
    const sql = new SourceText('\n  -- phase: expand\n/* a /* nested */ b */ ALTER TABLE t;');
    expect(sql.positionAt(sql.skipTrivia(0))).toEqual({ line: 3, column: 24 });
  });
});
