import fc from 'fast-check';
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRequestHead, type RequestHeadResult } from './request-head-parser.js';

const latin1 = (text: string) => Buffer.from(text, 'latin1');

/** Reads a stream as the fast path does: request after request until one is not simple. */
function readStream(stream: Buffer): RequestHeadResult[] {
  const results: RequestHeadResult[] = [];
  let rest = stream;
  for (;;) {
    const result = parseRequestHead(rest);
    results.push(result);
    if (result.kind !== 'simple' || result.length === rest.length) return results;
    rest = rest.subarray(result.length);
  }
}

describe('parseRequestHead', () => {
  it('reads a plain GET as node:http does: names as sent, values without surrounding blanks', () => {
    const head =
      'GET /a/b?c=1&d=%20 HTTP/1.1\r\nHost: web\r\nX-Trace: \t a b \t\r\nx-empty:\r\n\r\n';

    expect(parseRequestHead(latin1(`${head}GET`))).toEqual({
      kind: 'simple',
      method: 'GET',
      url: '/a/b?c=1&d=%20',
      rawHeaders: ['Host', 'web', 'X-Trace', 'a b', 'x-empty', ''],
      length: head.length,
    });
  });

  it('waits for the end of the head, and gives up on a head longer than 8 KiB', () => {
    expect(parseRequestHead(latin1('GET / HTTP/1.1\r\nHost: web\r\n\r'))).toEqual({
      kind: 'incomplete',
    });
    const long = `GET / HTTP/1.1\r\nHost: web\r\nX: ${'a'.repeat(9000)}`;
    expect(parseRequestHead(latin1(long))).toEqual({ kind: 'other' });
    expect(parseRequestHead(latin1(`${long}\r\n\r\n`))).toEqual({ kind: 'other' });
  });

  it('reads only the first `limit` bytes of a reused buffer, whatever stale bytes follow', () => {
    const request = 'GET /x HTTP/1.1\r\nHost: web\r\n\r\n';
    const stale = 'GET /stale HTTP/1.1\r\nHost: old\r\n\r\n';
    fc.assert(
      fc.property(fc.integer({ min: 0, max: request.length }), fc.string(), (cut, noise) => {
        // The reused buffer: this read's bytes, then what an earlier read left there.
        const buffer = latin1(`${request.slice(0, cut)}${stale}${noise}`);
        expect(parseRequestHead(buffer, cut)).toEqual(
          parseRequestHead(latin1(request.slice(0, cut))),
        );
      }),
    );
  });

  const notPlain: readonly [string, string][] = [
    ['a body by Content-Length', 'GET / HTTP/1.1\r\nHost: web\r\nContent-Length: 0\r\n\r\n'],
    [
      'a chunked body',
      'GET / HTTP/1.1\r\nHost: web\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ],
    [
      'CL and TE (smuggling)',
      'GET / HTTP/1.1\r\nHost: web\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n',
    ],
    [
      'two Content-Lengths',
      'GET / HTTP/1.1\r\nHost: web\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
    ],
    ['a POST', 'POST / HTTP/1.1\r\nHost: web\r\n\r\n'],
    ['a lower-case method', 'get / HTTP/1.1\r\nHost: web\r\n\r\n'],
    ['Expect', 'GET / HTTP/1.1\r\nHost: web\r\nExpect: 100-continue\r\n\r\n'],
    ['Upgrade', 'GET / HTTP/1.1\r\nHost: web\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n'],
    ['Connection: close', 'GET / HTTP/1.1\r\nHost: web\r\nConnection: close\r\n\r\n'],
    ['HTTP/1.0', 'GET / HTTP/1.0\r\nHost: web\r\n\r\n'],
    ['HTTP/2.0', 'GET / HTTP/2.0\r\nHost: web\r\n\r\n'],
    ['no Host', 'GET / HTTP/1.1\r\nX: y\r\n\r\n'],
    ['two Hosts', 'GET / HTTP/1.1\r\nHost: web\r\nhost: other\r\n\r\n'],
    ['an absolute-form target', 'GET http://web/ HTTP/1.1\r\nHost: web\r\n\r\n'],
    ['an asterisk target', 'GET * HTTP/1.1\r\nHost: web\r\n\r\n'],
    ['a fragment', 'GET /#x HTTP/1.1\r\nHost: web\r\n\r\n'],
    ['a control byte in the target', 'GET /\u0001 HTTP/1.1\r\nHost: web\r\n\r\n'],
    ['two spaces', 'GET  / HTTP/1.1\r\nHost: web\r\n\r\n'],
    ['obs-fold', 'GET / HTTP/1.1\r\nHost: web\r\nX-A: 1\r\n 2\r\n\r\n'],
    ['a space before the colon', 'GET / HTTP/1.1\r\nHost : web\r\n\r\n'],
    ['an empty name', 'GET / HTTP/1.1\r\nHost: web\r\n: x\r\n\r\n'],
    ['a bare LF in a value', 'GET / HTTP/1.1\r\nHost: web\r\nX: a\nb\r\n\r\n'],
    ['a bare CR in a value', 'GET / HTTP/1.1\r\nHost: web\r\nX: a\rb\r\n\r\n'],
    ['a NUL in a value', 'GET / HTTP/1.1\r\nHost: web\r\nX: a\u0000b\r\n\r\n'],
    ['obs-text in a value', 'GET / HTTP/1.1\r\nHost: web\r\nX: caf\u00e9\r\n\r\n'],
    ['a leading empty line', '\r\nGET / HTTP/1.1\r\nHost: web\r\n\r\n'],
    ['garbage', 'GARBAGE\r\n\r\n'],
    ['101 fields', `GET / HTTP/1.1\r\nHost: web\r\n${'X: 1\r\n'.repeat(100)}\r\n`],
  ];

  for (const [what, text] of notPlain) {
    it(`leaves ${what} to node:http, however the bytes are split`, () => {
      const bytes = latin1(text);
      expect(parseRequestHead(bytes)).toEqual({ kind: 'other' });
      for (let end = 0; end < bytes.length; end++) {
        expect(parseRequestHead(bytes.subarray(0, end)).kind).not.toBe('simple');
      }
    });
  }

  const fieldName = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/);
  const fieldValue = fc.stringMatching(/^[\x20-\x7e\t]{0,20}$/);
  const target = fc.stringMatching(/^\/[A-Za-z0-9/?=&%._~:@!$'()*+,;-]{0,30}$/);
  const simpleHead = fc
    .record({
      method: fc.constantFrom('GET', 'HEAD'),
      target,
      fields: fc.array(fc.tuple(fieldName, fieldValue), { maxLength: 6 }),
      hostAt: fc.nat(6),
    })
    .map(({ method, target: url, fields, hostAt }) => {
      const plain = fields.filter(
        ([name]) =>
          ![
            'host',
            'content-length',
            'transfer-encoding',
            'expect',
            'upgrade',
            'connection',
          ].includes(name.toLowerCase()),
      );
      plain.splice(Math.min(hostAt, plain.length), 0, ['Host', 'web']);
      return `${method} ${url} HTTP/1.1\r\n${plain.map(([n, v]) => `${n}:${v}\r\n`).join('')}\r\n`;
    });

  it('gives the same requests however a stream of them is split: a prefix is incomplete or the same', () => {
    fc.assert(
      fc.property(
        fc.array(simpleHead, { minLength: 1, maxLength: 4 }),
        fc.string({ maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        (heads, tail, cuts) => {
          const stream = latin1(heads.join('') + tail);
          const whole = readStream(stream);
          expect(whole.filter((r) => r.kind === 'simple').length).toBeGreaterThanOrEqual(
            heads.length,
          );
          // Cut anywhere: each read of a prefix either waits for more or agrees with the whole.
          for (const cut of cuts) {
            const prefix = stream.subarray(0, cut % (stream.length + 1));
            const partial = readStream(prefix);
            for (let i = 0; i < partial.length; i++) {
              const result = partial[i] as RequestHeadResult;
              if (result.kind === 'incomplete') continue;
              expect(result).toEqual(whole[i]);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('parseRequestHead against node:http', () => {
  let port = 0;
  let seen: IncomingMessage | undefined;
  const server = createServer((req, res) => {
    seen = req;
    res.end('ok');
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** What node:http's server read from `bytes`, or undefined when it refused them. */
  function nodeRead(bytes: Buffer): Promise<IncomingMessage | undefined> {
    seen = undefined;
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      socket.on('error', reject);
      socket.on('close', () => resolve(text.startsWith('HTTP/1.1 200') ? seen : undefined));
    });
  }

  // Heads near the plain ones: odd bytes in the target, the names and the values.
  const oddByte = fc.constantFrom(
    ' ',
    '\t',
    '\r',
    '\n',
    '\u0000',
    '\u007f',
    '\u00e9',
    '"',
    '#',
    '<',
    '{',
    ':',
  );
  const messy = (base: fc.Arbitrary<string>) =>
    fc.tuple(base, fc.option(fc.tuple(fc.nat(20), oddByte))).map(([text, odd]) => {
      if (odd === null) return text;
      const at = odd[0] % (text.length + 1);
      return text.slice(0, at) + odd[1] + text.slice(at);
    });

  it('never accepts what node:http refuses, and reads the same method, target and fields', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          method: fc.constantFrom('GET', 'HEAD', 'GET', 'POST'),
          target: messy(fc.stringMatching(/^\/[A-Za-z0-9/?=&%._~:@!$'()*+,;[\]-]{0,12}$/)),
          name: messy(fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,8}$/)),
          value: messy(fc.stringMatching(/^[\x20-\x7e\t]{0,10}$/)),
        }),
        async ({ method, target: url, name, value }) => {
          const bytes = latin1(
            `${method} ${url} HTTP/1.1\r\nHost: web\r\n${name}:${value}\r\n\r\n`,
          );
          const ours = parseRequestHead(bytes);
          if (ours.kind !== 'simple') return;
          const theirs = await nodeRead(bytes);
          expect(theirs).toBeDefined();
          expect({ method: theirs?.method, url: theirs?.url, raw: theirs?.rawHeaders }).toEqual({
            method: ours.method,
            url: ours.url,
            raw: ours.rawHeaders,
          });
        },
      ),
      { numRuns: 200 },
    );
  }, 60_000);
});
