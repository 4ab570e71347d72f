import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientResponse } from './client-response.js';
import { forwardResponseHeaders } from './forwarded-headers.js';
import { parseHead } from './response-head.js';
import type { DirectWriter } from './socket-io.js';

/** A response that records what it writes, as latin1. */
function recorded(method = 'GET'): { response: ClientResponse; written: () => string } {
  const chunks: string[] = [];
  const writer = {
    socket: { destroyed: false },
    write(data: Buffer | string): boolean {
      chunks.push(typeof data === 'string' ? data : Buffer.from(data).toString('latin1'));
      return true;
    },
  } as unknown as DirectWriter;
  const response = new ClientResponse(writer, method, true, 5_000, () => {});
  return { response, written: () => chunks.join('') };
}

/** The Date field the response adds itself: the same on both paths but for a second's turn. */
const addedDate = /^Date: [A-Za-z]{3}, \d\d [A-Za-z]{3} \d{4} \d\d:\d\d:\d\d GMT\r\n/m;

/** Names with a role in forwarded-headers.ts, in any case, and plain ones. */
const roleName = fc
  .constantFrom(
    'connection',
    'keep-alive',
    'proxy-connection',
    'te',
    'trailer',
    'upgrade',
    'transfer-encoding',
    'content-length',
    'host',
    'via',
    'x-forwarded-for',
    'x-forwarded-proto',
    'x-forwarded-host',
    'forwarded',
    'expect',
    'x-ferry-mirror',
  )
  .chain((name) =>
    fc
      .array(fc.boolean(), { minLength: name.length, maxLength: name.length })
      .map((upper) => [...name].map((c, i) => (upper[i] === true ? c.toUpperCase() : c)).join('')),
  );
const plainName = fc
  .stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,17}$/)
  .filter((name) => name.toLowerCase() !== 'date');
const fieldValue = fc.oneof(
  fc.stringMatching(/^[!-~](?:[ -~]{0,20}[!-~])?$/),
  fc.constantFrom('keep-alive', 'close', 'Keep-Alive', 'chunked', '12', 'timeout=5'),
);
const head = fc.record({
  status: fc.constantFrom(200, 201, 404, 500),
  fields: fc.array(fc.tuple(fc.oneof(roleName, plainName), fieldValue), { maxLength: 8 }),
  spaced: fc.boolean(),
});

describe('ClientResponse.writeForwardedHead', () => {
  it('writes what the string path writes for the forwarded fields, hop-by-hop ones dropped', () => {
    fc.assert(
      fc.property(head, ({ status, fields, spaced }) => {
        const text =
          `HTTP/1.1 ${status} Reason\r\n` +
          fields.map(([name, value]) => `${name}:${spaced ? '  ' : ' '}${value}\r\n`).join('');
        let parsed;
        try {
          parsed = parseHead(Buffer.from(text.slice(0, -2), 'latin1'));
        } catch {
          // Framing the parser refuses (a coding other than chunked, two lengths) goes nowhere.
          return;
        }
        // A Connection that names fields takes the string path only.
        fc.pre(!parsed.connectionOptions);
        const bytes = recorded();
        bytes.response.writeForwardedHead(parsed);
        bytes.response.end();
        const strings = recorded();
        strings.response.writeHead(
          parsed.status,
          parsed.statusText,
          forwardResponseHeaders(parsed.headers),
          true,
        );
        strings.response.end();
        expect(bytes.written().replace(addedDate, '')).toBe(
          strings.written().replace(addedDate, ''),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('drops every hop-by-hop field of a head, in any case', () => {
    const parsed = parseHead(
      Buffer.from(
        'HTTP/1.1 200 OK\r\nTE: trailers\r\nTrailer: X-Sum\r\nUPGRADE: h2c\r\n' +
          'Proxy-Connection: keep-alive\r\nKeep-Alive: timeout=5\r\nConnection: keep-alive\r\n' +
          'X-Kept: yes\r\nContent-Length: 0',
        'latin1',
      ),
    );
    const { response, written } = recorded();
    response.writeForwardedHead(parsed);
    response.end();
    const fields = written()
      .split('\r\n')
      .slice(1)
      .map((line) => line.split(':')[0]);
    expect(fields.filter((name) => name !== 'Date' && name !== '')).toEqual([
      'X-Kept',
      'Content-Length',
      'Connection',
      'Keep-Alive',
    ]);
  });
});
