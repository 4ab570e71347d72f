/** A place in a file, as an editor shows it: 1-based line and column (in characters). */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/**
 * A file's SQL seen as UTF-8 bytes, which is how PostgreSQL's parser (statement offsets) and
 * squawk (columns) count, with conversions to the character positions people see. `été` is 3
 * characters but 5 bytes: a finding after it must not drift two columns right.
 */
export class SourceText {
  private readonly bytes: Uint8Array;
  /** Byte offset where each line starts; index 0 is line 1. */
  private readonly lineStarts: readonly number[];

  constructor(readonly sql: string) {
    this.bytes = new TextEncoder().encode(sql);
    const starts = [0];
    this.bytes.forEach((byte, index) => {
      if (byte === 0x0a) starts.push(index + 1);
    });
    this.lineStarts = starts;
  }

  get byteLength(): number {
    return this.bytes.length;
  }

  /** The position of a byte offset (clamped to the text). */
  positionAt(byteOffset: number): SourcePosition {
    const offset = Math.max(0, Math.min(byteOffset, this.bytes.length));
    let line = 0;
    while (line + 1 < this.lineStarts.length && this.lineStarts[line + 1]! <= offset) line++;
    const before = new TextDecoder().decode(this.bytes.subarray(this.lineStarts[line]!, offset));
    return { line: line + 1, column: [...before].length + 1 };
  }

  /** The byte offset of a 0-based character (UTF-16) offset, as libpg-query's errors give it. */
  offsetOfCharacter(characterOffset: number): number {
    return new TextEncoder().encode(this.sql.slice(0, Math.max(characterOffset, 0))).length;
  }

  /** The byte offset of squawk's 0-based line and 0-based byte column. */
  offsetOfLineColumn(line0: number, byteColumn0: number): number {
    const start = this.lineStarts[Math.min(Math.max(line0, 0), this.lineStarts.length - 1)]!;
    return start + Math.max(byteColumn0, 0);
  }

  /**
   * The first byte at or after `from` that is not whitespace or a comment: where a statement
   * really starts (the parser's statement offsets include what precedes it after the last `;`).
   */
  skipTrivia(from: number, to = this.bytes.length): number {
    let at = from;
    while (at < to) {
      const byte = this.bytes[at]!;
      if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d || byte === 0x0c) {
        at++;
      } else if (byte === 0x2d && this.bytes[at + 1] === 0x2d) {
        while (at < to && this.bytes[at] !== 0x0a) at++;
      } else if (byte === 0x2f && this.bytes[at + 1] === 0x2a) {
        at = this.skipBlockComment(at, to);
      } else {
        break;
      }
    }
    return at;
  }

  /** PostgreSQL's block comments nest. */
  private skipBlockComment(from: number, to: number): number {
    let depth = 0;
    let at = from;
    while (at < to) {
      if (this.bytes[at] === 0x2f && this.bytes[at + 1] === 0x2a) {
        depth++;
        at += 2;
      } else if (this.bytes[at] === 0x2a && this.bytes[at + 1] === 0x2f) {
        depth--;
        at += 2;
        if (depth === 0) return at;
      } else {
        at++;
      }
    }
    return to;
  }
}
