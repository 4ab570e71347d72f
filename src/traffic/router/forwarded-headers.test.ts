import { describe, expect, it } from 'vitest';
import { forwardRequestHeaders, forwardResponseHeaders } from './forwarded-headers.js';
import type { Peer } from './trusted-proxies.js';

describe('forwardRequestHeaders', () => {
  it('keeps end-to-end fields in order and appends the forwarding fields', () => {
    const { headers, hasBody } = forwardRequestHeaders(
      ['Host', 'web.example', 'Accept', '*/*', 'X-Trace', 'a', 'X-Trace', 'b'],
      untrusted('10.0.0.7'),
      'http',
      '127.0.0.1:9001',
    );

    expect(headers).toEqual([
      'Host',
      'web.example',
      'Accept',
      '*/*',
      'X-Trace',
      'a',
      'X-Trace',
      'b',
      'x-forwarded-for',
      '10.0.0.7',
      'x-forwarded-proto',
      'http',
      'x-forwarded-host',
      'web.example',
      'via',
      '1.1 ferry',
    ]);
    expect(hasBody).toBe(false);
  });

  it('drops the fields a Connection header lists, whatever their case, and fills in Host', () => {
    const { headers } = forwardRequestHeaders(
      ['connection', 'Close, x-session-hint', 'X-Session-Hint', '1', 'Connection', 'X-Other'],
      { address: undefined, trusted: false },
      'http',
      'h:1',
    );

    expect(headers).toEqual(['host', 'h:1', 'x-forwarded-proto', 'http', 'via', '1.1 ferry']);
  });

  it('appends to every X-Forwarded-For and Via already on the request from a trusted proxy', () => {
    const { headers } = forwardRequestHeaders(
      ['X-Forwarded-For', '1.1.1.1', 'x-forwarded-for', '2.2.2.2', 'VIA', '1.0 edge'],
      trusted('3.3.3.3'),
      'http',
      'h:1',
    );

    expect(value(headers, 'x-forwarded-for')).toBe('1.1.1.1, 2.2.2.2, 3.3.3.3');
    expect(value(headers, 'via')).toBe('1.0 edge, 1.1 ferry');
  });

  it('replaces X-Forwarded-For, -Proto and -Host, and drops Forwarded, from a peer it does not trust', () => {
    const forwarded = forwardRequestHeaders(
      [
        'Host',
        'a',
        'X-Forwarded-For',
        '6.6.6.6',
        'X-Forwarded-Proto',
        'https',
        'X-Forwarded-Host',
        'evil',
        'Forwarded',
        'for=6.6.6.6;proto=https',
      ],
      untrusted('3.3.3.3'),
      'http',
      'h:1',
    );

    expect(value(forwarded.headers, 'x-forwarded-for')).toBe('3.3.3.3');
    expect(value(forwarded.headers, 'x-forwarded-proto')).toBe('http');
    expect(value(forwarded.headers, 'x-forwarded-host')).toBe('a');
    expect(value(forwarded.headers, 'forwarded')).toBeUndefined();
    expect(forwarded.secure).toBe(false);
  });

  it("keeps a trusted proxy's X-Forwarded-Proto, -Host and Forwarded, and reads HTTPS from the first proto", () => {
    const raw = [
      'Host',
      'a',
      'Forwarded',
      'for=198.51.100.4',
      'X-Forwarded-Proto',
      'HTTPS, http',
      'X-Forwarded-Host',
      'shop.example',
    ];
    const forwarded = forwardRequestHeaders(raw, trusted('10.0.0.2'), 'http', 'h:1');
    const plain = forwardRequestHeaders(['Host', 'a'], trusted('10.0.0.2'), 'http', 'h:1');

    expect(value(forwarded.headers, 'x-forwarded-proto')).toBe('HTTPS, http');
    expect(value(forwarded.headers, 'x-forwarded-host')).toBe('shop.example');
    expect(value(forwarded.headers, 'forwarded')).toBe('for=198.51.100.4');
    expect(forwarded.secure).toBe(true);
    expect(value(plain.headers, 'x-forwarded-proto')).toBe('http');
    expect(plain.secure).toBe(false);
  });

  it('leaves the framing to the upstream client and reports the body length', () => {
    const peer = untrusted('c');
    const chunked = forwardRequestHeaders(['Transfer-Encoding', 'chunked'], peer, 'http', 'h:1');
    const sized = forwardRequestHeaders(['Content-Length', '12'], peer, 'http', 'h:1');
    const empty = forwardRequestHeaders(['Content-Length', '0'], peer, 'http', 'h:1');

    expect(chunked).toMatchObject({ hasBody: true, bodyLength: -1 });
    expect(value(chunked.headers, 'transfer-encoding')).toBeUndefined();
    expect(sized).toMatchObject({ hasBody: true, bodyLength: 12 });
    expect(empty).toMatchObject({ hasBody: false, bodyLength: 0 });
  });
});

describe('forwardResponseHeaders', () => {
  it('drops hop-by-hop fields and the ones Connection lists', () => {
    expect(
      forwardResponseHeaders([
        'Content-Type',
        'text/plain',
        'Connection',
        'keep-alive, X-Hop',
        'Keep-Alive',
        'timeout=5',
        'Transfer-Encoding',
        'chunked',
        'x-hop',
        '1',
        'Set-Cookie',
        'a=1',
        'Set-Cookie',
        'b=2',
      ]),
    ).toEqual(['Content-Type', 'text/plain', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2']);
  });

  it("reads undici's raw Buffers as latin1, byte for byte", () => {
    const raw = [Buffer.from('X-Name'), Buffer.from([0x63, 0x61, 0x66, 0xe9])];
    expect(forwardResponseHeaders(raw)).toEqual(['X-Name', 'caf\u00e9']);
  });

  it('notes the body length from Content-Length, and none when chunked or absent', () => {
    const framing = { bodyLeft: 0 };
    forwardResponseHeaders(['Content-Length', '42'], framing);
    expect(framing.bodyLeft).toBe(42);
    forwardResponseHeaders(['Content-Length', '42', 'Transfer-Encoding', 'chunked'], framing);
    expect(framing.bodyLeft).toBe(-1);
    forwardResponseHeaders(['Content-Type', 'text/plain'], framing);
    expect(framing.bodyLeft).toBe(-1);
  });
});

function trusted(address: string): Peer {
  return { address, trusted: true };
}

function untrusted(address: string): Peer {
  return { address, trusted: false };
}

function value(headers: readonly string[], name: string): string | undefined {
  const index = headers.findIndex((field, i) => i % 2 === 0 && field.toLowerCase() === name);
  return index === -1 ? undefined : headers[index + 1];
}
