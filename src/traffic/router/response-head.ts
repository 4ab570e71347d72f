import { Buffer } from 'node:buffer';
import { UpstreamError } from './upstream-errors.js';
import { bytesEqualLower } from './ascii-case.js';
import { sameLatin1 } from './byte-copy.js';

/** A field in {@link ResponseHead.fields}: five offsets into its bytes, then its hop mark. */
export const FIELD_NAME = 0;
export const FIELD_COLON = 1;
export const FIELD_VALUE = 2;
export const FIELD_VALUE_END = 3;
export const FIELD_LINE_END = 4;
/**
 * 1 for a field that describes the upstream connection and never reaches the client
 * (Connection, Keep-Alive, Proxy-Connection, TE, Trailer, Upgrade, Transfer-Encoding: the
 * response side of forwarded-headers.ts's roles), 0 otherwise. Marked while parsing, where the
 * names are compared anyway for framing.
 */
export const FIELD_HOP = 5;
export const FIELD_STRIDE = 6;

/**
 * A parsed response head: the status line, the fields and what they say about framing. The
 * fields are kept as offsets into the bytes it was parsed from; `headers`, the flat list of
 * strings, is made only when asked for, so the router's fast path (client-response.ts) copies
 * runs of bytes without a string per field. A head from a {@link ResponseParser} lies in the
 * socket's read buffer and in the parser's field list, both reused: it is valid only during
 * `onHead`, and a sink that keeps it takes {@link headers} there.
 */
export class ResponseHead {
  private flat: string[] | undefined;

  constructor(
    readonly status: number,
    readonly statusText: string,
    /** Bytes holding the head, from {@link start} up to, not including, its last CRLF. */
    readonly bytes: Buffer,
    /** Where the status line starts in {@link bytes}. */
    readonly start: number,
    /** {@link FIELD_STRIDE} numbers per field: name, colon, value, value end, line end, hop mark. */
    readonly fields: readonly number[],
    /** How many entries of {@link fields} are this head's: the list may be longer. */
    readonly fieldsEnd: number,
    /** The Content-Length, or -1 without one. */
    readonly contentLength: number,
    /** `Transfer-Encoding: chunked`. */
    readonly chunked: boolean,
    /** The connection may carry another request after this response (HTTP/1.1 without close). */
    readonly keepAlive: boolean,
    /** `Keep-Alive: timeout=N` in ms, or -1 without one. */
    readonly keepAliveTimeoutMs: number,
    /** Where the status line ends (its CR, or the end when the head has no field). */
    readonly statusLineEnd: number,
    /**
     * A Connection field says more than a plain `keep-alive` or `close`: it may name fields
     * to drop, which the {@link FIELD_HOP} marks do not cover.
     */
    readonly connectionOptions: boolean,
  ) {}

  /** Flat `[name, value, ...]` as sent, one char per byte (latin1), like Node's `rawHeaders`. */
  get headers(): string[] {
    if (this.flat === undefined) this.flat = fieldStrings(this.bytes, this.fields, this.fieldsEnd);
    return this.flat;
  }
}

function fieldStrings(bytes: Buffer, fields: readonly number[], fieldsEnd: number): string[] {
  const flat: string[] = [];
  for (let i = 0; i < fieldsEnd; i += FIELD_STRIDE) {
    flat.push(
      bytes.toString('latin1', fields[i + FIELD_NAME], fields[i + FIELD_COLON]),
      bytes.toString('latin1', fields[i + FIELD_VALUE], fields[i + FIELD_VALUE_END]),
    );
  }
  return flat;
}

const TOKEN = 1;
const FIELD = 2;
/** Per byte: a token char (RFC 9110 §5.6.2), a field-value char (VCHAR, obs-text, SP, HTAB). */
const chars = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const token =
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    "!#$%&'*+-.^_`|~".includes(String.fromCharCode(c));
  const field = c === 0x09 || (c >= 0x20 && c !== 0x7f);
  chars[c] = (token ? TOKEN : 0) | (field ? FIELD : 0);
}

const SP = 0x20;
const HTAB = 0x09;
const CR = 0x0d;
const LF = 0x0a;
const COLON = 0x3a;

/** The status line's reason phrases last seen, by status: an upstream repeats the same ones. */
const reasons: string[] = [];

/**
 * Parses the response head in `bytes[start..end)`, from its status line up to, not including,
 * the CRLF that ends its last line; field offsets go into `fields` from its start (it grows as
 * needed and may hold more). The head refers to `bytes` and `fields` without copying them.
 * Strict, as a proxy must be (RFC 9112): a CR or LF anywhere but at a line end, a folded line,
 * whitespace before a colon, a bad length, both Content-Length and Transfer-Encoding, or a
 * coding other than chunked throws an {@link UpstreamError}; nothing half-parsed gets out.
 */
export function parseHead(
  bytes: Buffer,
  start = 0,
  end = bytes.length,
  fields: number[] = [],
): ResponseHead {
  let lineEnd = start;
  while (lineEnd < end && bytes[lineEnd] !== CR) lineEnd++;
  if (
    lineEnd - start < 12 ||
    bytes[start] !== 0x48 || // HTTP/1.
    bytes[start + 1] !== 0x54 ||
    bytes[start + 2] !== 0x54 ||
    bytes[start + 3] !== 0x50 ||
    bytes[start + 4] !== 0x2f ||
    bytes[start + 5] !== 0x31 ||
    bytes[start + 6] !== 0x2e
  ) {
    throw new UpstreamError('HPE_INVALID_VERSION', 'invalid HTTP version in the status line');
  }
  const minor = bytes[start + 7];
  if ((minor !== 0x30 && minor !== 0x31) || bytes[start + 8] !== SP) {
    throw new UpstreamError('HPE_INVALID_VERSION', 'invalid HTTP version in the status line');
  }
  const status =
    digit(bytes, start + 9) * 100 + digit(bytes, start + 10) * 10 + digit(bytes, start + 11);
  if (!(status >= 100) || (lineEnd - start > 12 && bytes[start + 12] !== SP)) {
    throw new UpstreamError('HPE_INVALID_STATUS', 'invalid status code');
  }
  for (let i = start + 13; i < lineEnd; i++) {
    if ((chars[bytes[i] as number]! & FIELD) === 0) {
      throw new UpstreamError('HPE_INVALID_STATUS', 'invalid character in the reason phrase');
    }
  }
  if (lineEnd < end && (lineEnd + 1 === end || bytes[lineEnd + 1] !== LF)) {
    throw new UpstreamError('HPE_INVALID_STATUS', 'invalid character in the reason phrase');
  }
  const statusText = reasonOf(bytes, status, start + 13, lineEnd);
  framing.contentLength = -1;
  framing.chunked = false;
  framing.close = false;
  framing.keepAlive = false;
  framing.timeout = -1;
  framing.options = false;
  const fieldsEnd = readFields(bytes, lineEnd + 2, end, fields, framing);
  if (framing.chunked && framing.contentLength !== -1) {
    throw new UpstreamError(
      'HPE_UNEXPECTED_CONTENT_LENGTH',
      'both Content-Length and Transfer-Encoding',
    );
  }
  return new ResponseHead(
    status,
    statusText,
    bytes,
    start,
    fields,
    fieldsEnd,
    framing.contentLength,
    framing.chunked,
    !framing.close && (minor === 0x31 || framing.keepAlive),
    framing.timeout,
    lineEnd,
    framing.options,
  );
}

/** The reason phrase, without a new string when it is the one last seen with this status. */
function reasonOf(bytes: Buffer, status: number, from: number, lineEnd: number): string {
  if (lineEnd <= from) return '';
  const last = reasons[status];
  if (last !== undefined && sameLatin1(bytes, from, lineEnd, last)) return last;
  const reason = bytes.toString('latin1', from, lineEnd);
  reasons[status] = reason;
  return reason;
}

/**
 * Parses the trailer section of a chunked body (`bytes` from `from` up to, not including, the
 * CRLF that ends its last line) into a flat `[name, value, ...]` list.
 */
export function parseTrailers(bytes: Buffer, from: number, to: number): string[] {
  const fields: number[] = [];
  const fieldsEnd = readFields(bytes, from, to, fields, undefined);
  return fieldStrings(bytes, fields, fieldsEnd);
}

interface Framing {
  contentLength: number;
  chunked: boolean;
  close: boolean;
  keepAlive: boolean;
  timeout: number;
  /** Connection said more than `keep-alive` or `close`. */
  options: boolean;
}

/** What the head being parsed says about framing: one object, reset for each head. */
const framing: Framing = {
  contentLength: -1,
  chunked: false,
  close: false,
  keepAlive: false,
  timeout: -1,
  options: false,
};

function digit(bytes: Uint8Array, at: number): number {
  const c = (bytes[at] as number) - 0x30;
  return c >= 0 && c <= 9 ? c : NaN;
}

/**
 * Reads CRLF-separated `name: value` lines from `start` to `end` of `bytes`, writing
 * {@link FIELD_STRIDE} numbers per field into `out` from its start; returns how many it wrote.
 */
function readFields(
  bytes: Uint8Array,
  start: number,
  end: number,
  out: number[],
  framing: Framing | undefined,
): number {
  let pos = start;
  let n = 0;
  while (pos < end) {
    let colon = pos;
    while (colon < end && (chars[bytes[colon] as number]! & TOKEN) !== 0) colon++;
    // A leading SP or HTAB (a folded line), one before the colon or any other char fails here.
    if (colon === end || bytes[colon] !== COLON || colon === pos) throw badName(bytes, pos, end);
    let from = colon + 1;
    while (from < end && isSpace(bytes[from] as number)) from++;
    let eol = from;
    while (eol < end && (chars[bytes[eol] as number]! & FIELD) !== 0) eol++;
    if (eol < end && (bytes[eol] !== CR || eol + 1 === end || bytes[eol + 1] !== LF)) {
      throw new UpstreamError('HPE_INVALID_HEADER_TOKEN', 'invalid character in a field value');
    }
    let to = eol;
    while (to > from && isSpace(bytes[to - 1] as number)) to--;
    // In place where the list is long enough already (a reused one), appended past its end.
    out[n] = pos;
    out[n + 1] = colon;
    out[n + 2] = from;
    out[n + 3] = to;
    out[n + 4] = eol;
    out[n + 5] = framing === undefined ? 0 : noteFraming(bytes, pos, colon, from, to, framing);
    n += FIELD_STRIDE;
    pos = eol + 2;
  }
  return n;
}

/** The error for a line whose name is missing or holds a char no token has. */
function badName(bytes: Uint8Array, pos: number, end: number): UpstreamError {
  let i = pos;
  while (i < end && bytes[i] !== CR && bytes[i] !== COLON) i++;
  return i === pos || i === end || bytes[i] !== COLON
    ? new UpstreamError('HPE_INVALID_HEADER_TOKEN', 'a header line without a field name')
    : new UpstreamError('HPE_INVALID_HEADER_TOKEN', 'invalid character in a field name');
}

function isSpace(c: number): boolean {
  return c === SP || c === HTAB;
}

/**
 * Notes the framing fields; names are compared in place, and most cost one length check.
 * Returns the field's {@link FIELD_HOP} mark.
 */
function noteFraming(
  bytes: Uint8Array,
  name: number,
  colon: number,
  from: number,
  to: number,
  framing: Framing,
): number {
  switch (colon - name) {
    case 2:
      return bytesEqualLower(bytes, name, colon, 'te') ? 1 : 0;
    case 7:
      return bytesEqualLower(bytes, name, colon, 'trailer') ||
        bytesEqualLower(bytes, name, colon, 'upgrade')
        ? 1
        : 0;
    case 14:
      if (!bytesEqualLower(bytes, name, colon, 'content-length')) return 0;
      if (framing.contentLength !== -1) {
        throw new UpstreamError('HPE_UNEXPECTED_CONTENT_LENGTH', 'duplicate Content-Length');
      }
      framing.contentLength = digitsAt(bytes, from, to);
      return 0;
    case 16:
      return bytesEqualLower(bytes, name, colon, 'proxy-connection') ? 1 : 0;
    case 17:
      if (!bytesEqualLower(bytes, name, colon, 'transfer-encoding')) return 0;
      // Only chunked, once: any other coding would reach the client without its framing.
      if (framing.chunked || !bytesEqualLower(bytes, from, to, 'chunked')) {
        throw new UpstreamError(
          'HPE_INVALID_TRANSFER_ENCODING',
          `unsupported Transfer-Encoding: ${latin1(bytes, from, to)}`,
        );
      }
      framing.chunked = true;
      return 1;
    case 10:
      if (bytesEqualLower(bytes, name, colon, 'connection')) {
        noteConnection(bytes, from, to, framing);
        return 1;
      }
      if (bytesEqualLower(bytes, name, colon, 'keep-alive')) {
        noteKeepAlive(bytes, from, to, framing);
        return 1;
      }
      return 0;
  }
  return 0;
}

function latin1(bytes: Uint8Array, from: number, to: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString('latin1');
}

/** A Content-Length value: 1 to 15 digits (below 2^53), nothing else. */
function digitsAt(bytes: Uint8Array, from: number, to: number): number {
  if (to - from < 1 || to - from > 15) {
    throw new UpstreamError('HPE_INVALID_CONTENT_LENGTH', 'invalid Content-Length');
  }
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = (bytes[i] as number) - 0x30;
    if (digit < 0 || digit > 9) {
      throw new UpstreamError('HPE_INVALID_CONTENT_LENGTH', 'invalid Content-Length');
    }
    value = value * 10 + digit;
  }
  return value;
}

function noteConnection(bytes: Uint8Array, from: number, to: number, framing: Framing): void {
  if (bytesEqualLower(bytes, from, to, 'keep-alive')) framing.keepAlive = true;
  else if (bytesEqualLower(bytes, from, to, 'close')) framing.close = true;
  else {
    framing.options = true;
    for (const token of latin1(bytes, from, to).toLowerCase().split(',')) {
      const option = token.trim();
      if (option === 'close') framing.close = true;
      else if (option === 'keep-alive') framing.keepAlive = true;
    }
  }
}

/** The last `Keep-Alive` value seen and its timeout: an upstream sends the same one each time. */
let lastKeepAlive = '';
let lastTimeout = -1;

function noteKeepAlive(bytes: Uint8Array, from: number, to: number, framing: Framing): void {
  // Compared in place: no string for the usual, unchanged value.
  if (!sameLatin1(bytes, from, to, lastKeepAlive)) {
    const value = latin1(bytes, from, to);
    const match = /(?:^|[\s,])timeout\s*=\s*(\d+)/i.exec(value);
    lastTimeout = match === null ? -1 : Number(match[1]) * 1000;
    lastKeepAlive = value;
  }
  if (lastTimeout !== -1) framing.timeout = lastTimeout;
}
