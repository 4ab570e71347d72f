import { UpstreamError } from './upstream-errors.js';
import { equalsLowerAt } from './ascii-case.js';

/** Offsets of a field in {@link ResponseHead.text}: five numbers per field. */
export const FIELD_NAME = 0;
export const FIELD_COLON = 1;
export const FIELD_VALUE = 2;
export const FIELD_VALUE_END = 3;
export const FIELD_LINE_END = 4;
export const FIELD_STRIDE = 5;

/**
 * A parsed response head: the status line, the fields and what they say about framing. The
 * fields are kept as offsets into the head's text; `headers`, the flat list of strings, is made
 * only when asked for, so the router's fast path (client-response.ts) copies runs of the text
 * without a string per field.
 */
export class ResponseHead {
  private flat: string[] | undefined;

  constructor(
    readonly status: number,
    readonly statusText: string,
    /** The head as latin1, from the status line up to, not including, its last CRLF. */
    readonly text: string,
    /** {@link FIELD_STRIDE} offsets per field: name, colon, value, value end, line end. */
    readonly fields: readonly number[],
    /** The Content-Length, or -1 without one. */
    readonly contentLength: number,
    /** `Transfer-Encoding: chunked`. */
    readonly chunked: boolean,
    /** The connection may carry another request after this response (HTTP/1.1 without close). */
    readonly keepAlive: boolean,
    /** `Keep-Alive: timeout=N` in ms, or -1 without one. */
    readonly keepAliveTimeoutMs: number,
  ) {}

  /** Flat `[name, value, ...]` as sent, one char per byte (latin1), like Node's `rawHeaders`. */
  get headers(): string[] {
    if (this.flat === undefined) this.flat = fieldStrings(this.text, this.fields);
    return this.flat;
  }

  /** Fields in the head. */
  get fieldCount(): number {
    return this.fields.length / FIELD_STRIDE;
  }
}

function fieldStrings(text: string, fields: readonly number[]): string[] {
  const flat: string[] = [];
  for (let i = 0; i < fields.length; i += FIELD_STRIDE) {
    flat.push(
      text.slice(fields[i + FIELD_NAME], fields[i + FIELD_COLON]),
      text.slice(fields[i + FIELD_VALUE], fields[i + FIELD_VALUE_END]),
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

/**
 * Parses a response head: `text` is its bytes as latin1 from the status line up to, not
 * including, the empty line that ends it. Strict, as a proxy must be (RFC 9112): a CR or LF
 * anywhere but at a line end, a folded line, whitespace before a colon, a bad length, both
 * Content-Length and Transfer-Encoding, or a coding other than chunked throws an
 * {@link UpstreamError}; nothing half-parsed gets out.
 */
export function parseHead(text: string): ResponseHead {
  let lineEnd = text.indexOf('\r\n');
  if (lineEnd === -1) lineEnd = text.length;
  if (lineEnd < 12 || !text.startsWith('HTTP/1.')) {
    throw new UpstreamError('HPE_INVALID_VERSION', 'invalid HTTP version in the status line');
  }
  const minor = text.charCodeAt(7);
  if ((minor !== 0x30 && minor !== 0x31) || text.charCodeAt(8) !== SP) {
    throw new UpstreamError('HPE_INVALID_VERSION', 'invalid HTTP version in the status line');
  }
  const status = digit(text, 9) * 100 + digit(text, 10) * 10 + digit(text, 11);
  if (!(status >= 100) || (lineEnd > 12 && text.charCodeAt(12) !== SP)) {
    throw new UpstreamError('HPE_INVALID_STATUS', 'invalid status code');
  }
  const statusText = lineEnd > 13 ? text.slice(13, lineEnd) : '';
  for (let i = 13; i < lineEnd; i++) {
    if ((chars[text.charCodeAt(i)]! & FIELD) === 0) {
      throw new UpstreamError('HPE_INVALID_STATUS', 'invalid character in the reason phrase');
    }
  }
  const fields: number[] = [];
  const framing = {
    contentLength: -1,
    chunked: false,
    close: false,
    keepAlive: false,
    timeout: -1,
  };
  readFields(text, lineEnd + 2, fields, framing);
  if (framing.chunked && framing.contentLength !== -1) {
    throw new UpstreamError(
      'HPE_UNEXPECTED_CONTENT_LENGTH',
      'both Content-Length and Transfer-Encoding',
    );
  }
  return new ResponseHead(
    status,
    statusText,
    text,
    fields,
    framing.contentLength,
    framing.chunked,
    !framing.close && (minor === 0x31 || framing.keepAlive),
    framing.timeout,
  );
}

/**
 * Parses the trailer section of a chunked body (`text` as in {@link parseHead}, without the
 * status line) into a flat `[name, value, ...]` list.
 */
export function parseTrailers(text: string): string[] {
  const fields: number[] = [];
  readFields(text, 0, fields, undefined);
  return fieldStrings(text, fields);
}

interface Framing {
  contentLength: number;
  chunked: boolean;
  close: boolean;
  keepAlive: boolean;
  timeout: number;
}

function digit(text: string, at: number): number {
  const c = text.charCodeAt(at) - 0x30;
  return c >= 0 && c <= 9 ? c : NaN;
}

/**
 * Reads CRLF-separated `name: value` lines from `start` to the end of `text`, appending
 * {@link FIELD_STRIDE} offsets per field to `out`.
 */
function readFields(text: string, start: number, out: number[], framing: Framing | undefined) {
  const end = text.length;
  let pos = start;
  while (pos < end) {
    let eol = text.indexOf('\r\n', pos);
    if (eol === -1) eol = end;
    const colon = text.indexOf(':', pos);
    if (colon <= pos || colon > eol) {
      throw new UpstreamError('HPE_INVALID_HEADER_TOKEN', 'a header line without a field name');
    }
    // A leading SP or HTAB (a folded line) or one before the colon fails here too.
    for (let i = pos; i < colon; i++) {
      if ((chars[text.charCodeAt(i)]! & TOKEN) === 0) {
        throw new UpstreamError('HPE_INVALID_HEADER_TOKEN', 'invalid character in a field name');
      }
    }
    let from = colon + 1;
    let to = eol;
    while (from < to && isSpace(text.charCodeAt(from))) from++;
    while (to > from && isSpace(text.charCodeAt(to - 1))) to--;
    for (let i = from; i < to; i++) {
      if ((chars[text.charCodeAt(i)]! & FIELD) === 0) {
        throw new UpstreamError('HPE_INVALID_HEADER_TOKEN', 'invalid character in a field value');
      }
    }
    out.push(pos, colon, from, to, eol);
    if (framing !== undefined) noteFraming(text, pos, colon, from, to, framing);
    pos = eol + 2;
  }
}

function isSpace(c: number): boolean {
  return c === SP || c === HTAB;
}

/** Notes the framing fields; names are compared in place, most cost one length check. */
function noteFraming(
  text: string,
  name: number,
  colon: number,
  from: number,
  to: number,
  framing: Framing,
): void {
  switch (colon - name) {
    case 14:
      if (!equalsLowerAt(text, name, colon, 'content-length')) return;
      if (framing.contentLength !== -1) {
        throw new UpstreamError('HPE_UNEXPECTED_CONTENT_LENGTH', 'duplicate Content-Length');
      }
      framing.contentLength = digitsAt(text, from, to);
      return;
    case 17:
      if (!equalsLowerAt(text, name, colon, 'transfer-encoding')) return;
      // Only chunked, once: any other coding would reach the client without its framing.
      if (framing.chunked || !equalsLowerAt(text, from, to, 'chunked')) {
        throw new UpstreamError(
          'HPE_INVALID_TRANSFER_ENCODING',
          `unsupported Transfer-Encoding: ${text.slice(from, to)}`,
        );
      }
      framing.chunked = true;
      return;
    case 10:
      if (equalsLowerAt(text, name, colon, 'connection')) noteConnection(text, from, to, framing);
      else if (equalsLowerAt(text, name, colon, 'keep-alive')) {
        noteKeepAlive(text, from, to, framing);
      }
      return;
  }
}

/** A Content-Length value: 1 to 15 digits (below 2^53), nothing else. */
function digitsAt(text: string, from: number, to: number): number {
  if (to - from < 1 || to - from > 15) {
    throw new UpstreamError('HPE_INVALID_CONTENT_LENGTH', 'invalid Content-Length');
  }
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) {
      throw new UpstreamError('HPE_INVALID_CONTENT_LENGTH', 'invalid Content-Length');
    }
    value = value * 10 + digit;
  }
  return value;
}

function noteConnection(text: string, from: number, to: number, framing: Framing): void {
  if (equalsLowerAt(text, from, to, 'keep-alive')) framing.keepAlive = true;
  else if (equalsLowerAt(text, from, to, 'close')) framing.close = true;
  else {
    for (const token of text.slice(from, to).toLowerCase().split(',')) {
      const option = token.trim();
      if (option === 'close') framing.close = true;
      else if (option === 'keep-alive') framing.keepAlive = true;
    }
  }
}

/** The last `Keep-Alive` value seen and its timeout: an upstream sends the same one each time. */
let lastKeepAlive = '';
let lastTimeout = -1;

function noteKeepAlive(text: string, from: number, to: number, framing: Framing): void {
  // Compared in place: no string for the usual, unchanged value.
  if (to - from !== lastKeepAlive.length || !text.startsWith(lastKeepAlive, from)) {
    const value = text.slice(from, to);
    const match = /(?:^|[\s,])timeout\s*=\s*(\d+)/i.exec(value);
    lastTimeout = match === null ? -1 : Number(match[1]) * 1000;
    lastKeepAlive = value;
  }
  if (lastTimeout !== -1) framing.timeout = lastTimeout;
}
