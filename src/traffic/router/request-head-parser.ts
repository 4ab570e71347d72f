import { equalsLower } from './ascii-case.js';
import { findHeadEnd, LatinStrings } from './byte-copy.js';

/**
 * The router's own request-head parser, for the fast path of its listeners (client-connection.ts).
 * It reads strictly (RFC 9112) and only the plainest requests: `GET` or `HEAD` of an origin-form
 * target, HTTP/1.1, one Host field, no body (no Content-Length, no Transfer-Encoding), no
 * `Expect`, no `Upgrade`, no `Connection` other than `keep-alive`, every field value visible
 * ASCII. Anything else, well-formed or not, is `other`: the connection then goes, bytes
 * untouched, to node:http's parser, which answers or refuses it as it always did. So the fast
 * path accepts a subset of what node:http accepts and reads it the same way: the two never
 * disagree on where a request ends, which is what request smuggling needs.
 */

/** A request the fast path serves, in node:http's shapes (`rawHeaders` flat, values trimmed). */
export interface SimpleRequestHead {
  readonly kind: 'simple';
  readonly method: 'GET' | 'HEAD';
  readonly url: string;
  readonly rawHeaders: string[];
  /** Bytes of the head, final empty line included: the next request starts there. */
  readonly length: number;
}

export type RequestHeadResult =
  | SimpleRequestHead
  /** No end of head yet in fewer than {@link maxSimpleHeadBytes} bytes. */
  | { readonly kind: 'incomplete' }
  /** Not a plain request, or malformed: node:http's parser takes the connection. */
  | { readonly kind: 'other' };

/** Longer heads go to node:http, which allows 16 KiB and answers 431 beyond. */
export const maxSimpleHeadBytes = 8192;
/** More fields go to node:http too (it keeps 2000 at most). */
const maxSimpleFields = 100;

const incomplete = { kind: 'incomplete' } as const;
const other = { kind: 'other' } as const;
/** Targets, names and values: the same ones come request after request. */
const strings = new LatinStrings();

/** tchar (RFC 9110 §5.6.2). */
const tchar = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") tchar[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) tchar[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) tchar[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) tchar[c] = 1;

/**
 * Characters of an origin-form target (RFC 3986 path and query: unreserved, sub-delims, ':', '@',
 * '/', '?', and '%' escapes). No '#', no spaces, nothing node:http might read otherwise.
 */
const targetChar = new Uint8Array(256);
for (let c = 0; c < 256; c++) targetChar[c] = tchar[c] ?? 0;
for (const c of "()*,/:;=?@[]!$&'+-._~%") targetChar[c.charCodeAt(0)] = 1;
targetChar['#'.charCodeAt(0)] = 0;
targetChar['^'.charCodeAt(0)] = 0;
targetChar['`'.charCodeAt(0)] = 0;
targetChar['|'.charCodeAt(0)] = 0;

const CR = 13;
const LF = 10;
const SP = 32;
const HTAB = 9;
const COLON = 58;

/**
 * Reads the request head at the start of `buffer`, of which only the first `limit` bytes count
 * (the rest of a reused read buffer is stale). Re-reading a longer buffer after more bytes
 * arrived gives the same result as reading it whole: the answer depends only on the bytes, never
 * on how they were split.
 */
export function parseRequestHead(buffer: Buffer, limit = buffer.length): RequestHeadResult {
  const end = findHeadEnd(buffer, 0, Math.min(limit, maxSimpleHeadBytes));
  if (end === -1) return limit >= maxSimpleHeadBytes ? other : incomplete;
  const length = end + 4;
  // Request line: method SP origin-form SP HTTP/1.1 CRLF.
  let method: 'GET' | 'HEAD';
  let i: number;
  if (buffer[0] === 0x47 && buffer[1] === 0x45 && buffer[2] === 0x54 && buffer[3] === SP) {
    method = 'GET';
    i = 4;
  } else if (
    buffer[0] === 0x48 &&
    buffer[1] === 0x45 &&
    buffer[2] === 0x41 &&
    buffer[3] === 0x44 &&
    buffer[4] === SP
  ) {
    method = 'HEAD';
    i = 5;
  } else {
    return other;
  }
  if (buffer[i] !== 0x2f /* '/' */) return other;
  const targetStart = i;
  while (targetChar[buffer[i] as number] === 1) i++;
  if (buffer[i] !== SP) return other;
  const url = strings.of(buffer, targetStart, i);
  i++;
  if (!isHttp11(buffer, i)) return other;
  i += 10;
  const rawHeaders: string[] = [];
  let hosts = 0;
  // Header fields: name ":" OWS value OWS CRLF, until the empty line at `end`.
  while (i < end + 2) {
    const nameStart = i;
    while (tchar[buffer[i] as number] === 1) i++;
    // An empty name, a space before the colon or obs-fold (a line starting with SP/HTAB).
    if (i === nameStart || buffer[i] !== COLON) return other;
    const name = strings.of(buffer, nameStart, i);
    i++;
    let valueStart = i;
    let valueEnd: number;
    for (;;) {
      const c = buffer[i] as number;
      if (c === CR) {
        if (buffer[i + 1] !== LF) return other;
        valueEnd = i;
        break;
      }
      // Visible ASCII and whitespace only: control bytes and obs-text go to node:http.
      if ((c < SP && c !== HTAB) || c > 0x7e) return other;
      i++;
    }
    while (valueStart < valueEnd && isWhitespace(buffer[valueStart] as number)) valueStart++;
    while (valueEnd > valueStart && isWhitespace(buffer[valueEnd - 1] as number)) valueEnd--;
    const value = strings.of(buffer, valueStart, valueEnd);
    i += 2;
    if (rawHeaders.length >= maxSimpleFields * 2) return other;
    if (!plainField(name, value)) return other;
    if (equalsLower(name, 'host')) hosts++;
    rawHeaders.push(name, value);
  }
  // HTTP/1.1 requires exactly one Host (node:http refuses none; the router refuses two).
  if (hosts !== 1) return other;
  return { kind: 'simple', method, url, rawHeaders, length };
}

/** `HTTP/1.1` CRLF at `at`. */
function isHttp11(buffer: Buffer, at: number): boolean {
  return (
    buffer[at] === 0x48 &&
    buffer[at + 1] === 0x54 &&
    buffer[at + 2] === 0x54 &&
    buffer[at + 3] === 0x50 &&
    buffer[at + 4] === 0x2f &&
    buffer[at + 5] === 0x31 &&
    buffer[at + 6] === 0x2e &&
    buffer[at + 7] === 0x31 &&
    buffer[at + 8] === CR &&
    buffer[at + 9] === LF
  );
}

function isWhitespace(c: number): boolean {
  return c === SP || c === HTAB;
}

/** Fields that change the framing or the connection's fate make a request not plain. */
function plainField(name: string, value: string): boolean {
  switch (name.length) {
    case 6:
      return !equalsLower(name, 'expect');
    case 7:
      return !equalsLower(name, 'upgrade');
    case 10:
      return !equalsLower(name, 'connection') || equalsLower(value, 'keep-alive');
    case 14:
      return !equalsLower(name, 'content-length');
    case 17:
      return !equalsLower(name, 'transfer-encoding');
    default:
      return true;
  }
}
