import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ResponseHead } from './response-head.js';
import { ResponseParser } from './response-parser.js';
import type { UpstreamError } from './upstream-errors.js';

/** What a parser saw of one response: every head, the body bytes, trailers and leftovers. */
interface Parsed {
  heads: { status: number; statusText: string; headers: string[] }[];
  body: string;
  done: boolean;
  trailers: string[] | null;
  extra: number;
  error: string | undefined;
}

/**
 * Feeds `pieces` to a fresh parser, as a connection does; `end` is the connection closing.
 * `reuse`: each piece is read into one buffer, as a socket's read buffer, which is scribbled
 * over once the parser is done with it, so nothing the parser or a sink kept may point into it.
 */
function parse(
  pieces: readonly Buffer[],
  options: { head?: boolean; end?: boolean; reuse?: boolean } = {},
) {
  const parsed: Parsed = {
    heads: [],
    body: '',
    done: false,
    trailers: null,
    extra: 0,
    error: undefined,
  };
  const parser = new ResponseParser({
    onHead: (head: ResponseHead) =>
      void parsed.heads.push({
        status: head.status,
        statusText: head.statusText,
        headers: head.headers,
      }),
    // Copied: a later chunk must not change what was delivered.
    onBody: (bytes: Buffer, from: number, to: number) =>
      void (parsed.body += bytes.toString('latin1', from, to)),
  });
  parser.start(options.head ?? false);
  try {
    const shared = Buffer.alloc(4096);
    for (const piece of pieces) {
      if (options.reuse !== true || piece.length > shared.length) {
        parsed.extra += parser.execute(piece);
        continue;
      }
      piece.copy(shared);
      parsed.extra += parser.execute(shared, piece.length);
      shared.fill(0x7e);
    }
    if (options.end === true) {
      const error = parser.end();
      if (error !== undefined) throw error;
    }
  } catch (error) {
    parsed.error = (error as UpstreamError).code;
  }
  parsed.done = parser.done;
  parsed.trailers = parser.trailers;
  return parsed;
}

const bytes = (text: string) => Buffer.from(text, 'latin1');

/** `text` cut at the given positions (sorted, deduplicated, within bounds). */
function split(text: string, cuts: readonly number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const cut of [...at, text.length]) {
    pieces.push(bytes(text.slice(from, cut)));
    from = cut;
  }
  return pieces;
}

const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,11}$/);
const value = fc.stringMatching(/^[!-~](?:[ -~]{0,20}[!-~])?$/);
const field = fc
  .tuple(token, value)
  .filter(([name]) => !/^(content-length|transfer-encoding|connection|keep-alive)$/i.test(name));
const bodyText = fc.string({
  unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)),
  maxLength: 300,
});

/** A response on the wire, and what parsing it must give. */
const response = fc
  .record({
    status: fc.integer({ min: 200, max: 599 }).filter((s) => s !== 204 && s !== 304),
    fields: fc.array(field, { maxLength: 6 }),
    body: bodyText,
    framing: fc.constantFrom('length', 'chunked'),
    chunkSizes: fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 8 }),
    trailers: fc.array(field, { maxLength: 2 }),
    earlyHints: fc.boolean(),
  })
  .map((r) => {
    let wire = r.earlyHints ? 'HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n' : '';
    wire += `HTTP/1.1 ${r.status} Reason Phrase\r\n`;
    for (const [name, v] of r.fields) wire += `${name}: ${v}\r\n`;
    if (r.framing === 'length') {
      wire += `Content-Length: ${r.body.length}\r\n\r\n${r.body}`;
    } else {
      wire += 'Transfer-Encoding: chunked\r\n\r\n';
      let rest = r.body;
      for (const size of r.chunkSizes) {
        if (rest === '') break;
        const piece = rest.slice(0, size);
        rest = rest.slice(size);
        wire += `${piece.length.toString(16)}\r\n${piece}\r\n`;
      }
      if (rest !== '') wire += `${rest.length.toString(16)};ext=1\r\n${rest}\r\n`;
      wire += '0\r\n';
      for (const [name, v] of r.trailers) wire += `${name}: ${v}\r\n`;
      wire += '\r\n';
    }
    return { wire, ...r };
  });

describe('ResponseParser', () => {
  it('parses a response the same however its bytes are split across reads', () => {
    fc.assert(
      fc.property(response, fc.array(fc.nat(), { maxLength: 12 }), (r, cuts) => {
        const whole = parse([bytes(r.wire)]);
        const pieces = parse(split(r.wire, cuts));
        const reused = parse(split(r.wire, cuts), { reuse: true });

        expect(pieces).toEqual(whole);
        expect(reused).toEqual(whole);
        expect(whole.error).toBeUndefined();
        expect(whole.done).toBe(true);
        expect(whole.body).toBe(r.body);
        expect(whole.heads.at(-1)).toEqual({
          status: r.status,
          statusText: 'Reason Phrase',
          headers: expect.arrayContaining(r.fields.flat()),
        });
        expect(whole.heads).toHaveLength(r.earlyHints ? 2 : 1);
        if (r.framing === 'chunked') expect(whole.trailers).toEqual(r.trailers.flat());
      }),
      { numRuns: 400 },
    );
  });

  it('splits one byte at a time as well as whole', () => {
    const wire =
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
      '5\r\nhello\r\n6;a=b\r\n world\r\n0\r\nX-Sum: 1\r\n\r\n';
    const bytewise = parse([...wire].map((c) => bytes(c)));

    expect(bytewise).toEqual(parse([bytes(wire)]));
    expect(bytewise).toMatchObject({ body: 'hello world', done: true, trailers: ['X-Sum', '1'] });
  });

  it('keeps the raw field names and values, trimmed of whitespace, in order', () => {
    const parsed = parse([
      bytes('HTTP/1.1 200 OK\r\nX-A:  one \r\nx-a:two\r\nContent-Length: 0\r\n\r\n'),
    ]);

    expect(parsed.heads).toEqual([
      {
        status: 200,
        statusText: 'OK',
        headers: ['X-A', 'one', 'x-a', 'two', 'Content-Length', '0'],
      },
    ]);
    expect(parsed.done).toBe(true);
  });

  it('reads a body without length until the connection ends', () => {
    const open = parse([bytes('HTTP/1.1 200 OK\r\n\r\nsome'), bytes(' bytes')]);
    const ended = parse([bytes('HTTP/1.1 200 OK\r\n\r\nsome'), bytes(' bytes')], { end: true });

    expect(open).toMatchObject({ body: 'some bytes', done: false });
    expect(ended).toMatchObject({ body: 'some bytes', done: true, error: undefined });
  });

  it('gives no body to a HEAD, a 204 or a 304, whatever their framing says', () => {
    const head = parse([bytes('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n')], { head: true });
    const noContent = parse([bytes('HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n')]);
    const notModified = parse([
      bytes('HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n'),
    ]);

    for (const parsed of [head, noContent, notModified]) {
      expect(parsed).toMatchObject({ body: '', done: true, error: undefined });
    }
  });

  it('counts the bytes that follow a complete response', () => {
    const parsed = parse([bytes('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA')]);

    expect(parsed).toMatchObject({ body: 'ok', done: true, extra: 5 });
  });

  const malformed: readonly [string, string, string][] = [
    ['a status line that is no HTTP/1.x', 'HTTP/2 200 OK\r\n\r\n', 'HPE_INVALID_VERSION'],
    ['garbage', 'hello world\r\n\r\n', 'HPE_INVALID_VERSION'],
    ['a two-digit status', 'HTTP/1.1 20 OK\r\n\r\n', 'HPE_INVALID_STATUS'],
    ['a status with letters', 'HTTP/1.1 2x0 OK\r\n\r\n', 'HPE_INVALID_STATUS'],
    ['a control char in the reason', 'HTTP/1.1 200 O\u0001K\r\n\r\n', 'HPE_INVALID_STATUS'],
    ['a bare CR in the reason', 'HTTP/1.1 200 O\rK\r\nX-A: 1\r\n\r\n', 'HPE_INVALID_STATUS'],
    ['a bare LF in the reason', 'HTTP/1.1 200 O\nK\r\nX-A: 1\r\n\r\n', 'HPE_INVALID_STATUS'],
    ['a header line of only a colon', 'HTTP/1.1 200 OK\r\n: 1\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    ['a DEL in a value', 'HTTP/1.1 200 OK\r\nX-A: 1\u007f\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    [
      'a folded header line',
      'HTTP/1.1 200 OK\r\nX-A: 1\r\n  2\r\n\r\n',
      'HPE_INVALID_HEADER_TOKEN',
    ],
    ['space before the colon', 'HTTP/1.1 200 OK\r\nX-A : 1\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    ['a line without colon', 'HTTP/1.1 200 OK\r\nX-A\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    [
      'a bare LF in a value',
      'HTTP/1.1 200 OK\r\nX-A: 1\nX-B: 2\r\n\r\n',
      'HPE_INVALID_HEADER_TOKEN',
    ],
    [
      'a bare CR in a value',
      'HTTP/1.1 200 OK\r\nX-A: 1\rX-B: 2\r\n\r\n',
      'HPE_INVALID_HEADER_TOKEN',
    ],
    ['a NUL in a value', 'HTTP/1.1 200 OK\r\nX-A: 1\u00002\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    [
      'Content-Length and Transfer-Encoding',
      'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'HPE_UNEXPECTED_CONTENT_LENGTH',
    ],
    [
      'two Content-Length fields',
      'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc',
      'HPE_UNEXPECTED_CONTENT_LENGTH',
    ],
    [
      'a negative Content-Length',
      'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
      'HPE_INVALID_CONTENT_LENGTH',
    ],
    [
      'a Content-Length list',
      'HTTP/1.1 200 OK\r\nContent-Length: 1, 1\r\n\r\nx',
      'HPE_INVALID_CONTENT_LENGTH',
    ],
    [
      'a coding other than chunked',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n',
      'HPE_INVALID_TRANSFER_ENCODING',
    ],
    [
      'a chunk size that is no hex number',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n',
      'HPE_INVALID_CHUNK_SIZE',
    ],
    [
      'a chunk longer than its size',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n0\r\n\r\n',
      'HPE_INVALID_CHUNK_SIZE',
    ],
    [
      'a chunk size past 2^52',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100000000000000\r\n',
      'HPE_INVALID_CHUNK_SIZE',
    ],
    [
      'whitespace after a chunk size',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n',
      'HPE_INVALID_CHUNK_SIZE',
    ],
    ['101 to a request without Upgrade', 'HTTP/1.1 101 Switching Protocols\r\n\r\n', 'HPE_STRICT'],
    [
      'a head past 16 KiB',
      `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(17_000)}\r\n\r\n`,
      'HPE_HEADER_OVERFLOW',
    ],
    ['an endless head', `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(17_000)}`, 'HPE_HEADER_OVERFLOW'],
  ];

  for (const [what, wire, code] of malformed) {
    it(`rejects ${what} (${code}), giving no head of it`, () => {
      for (const pieces of [[bytes(wire)], split(wire, [7, 20, 45, 90])]) {
        const parsed = parse(pieces);

        expect(parsed.error).toBe(code);
        expect(parsed.heads.filter((h) => h.status >= 200)).toEqual(
          code === 'HPE_INVALID_CHUNK_SIZE' ? [expect.anything()] : [],
        );
      }
    });
  }

  it('says which response the connection cut short', () => {
    expect(
      parse([bytes('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello')], { end: true }),
    ).toMatchObject({ body: 'hello', error: 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' });
    expect(parse([bytes('HTTP/1.1 200 OK\r\nContent-')], { end: true })).toMatchObject({
      heads: [],
      error: 'UND_ERR_SOCKET',
    });
    expect(parse([], { end: true })).toMatchObject({ error: 'UND_ERR_SOCKET' });
  });
});
