import { UpstreamError } from './upstream-errors.js';
import { equalsLower } from './ascii-case.js';

/** A parsed response head: the status line, the raw fields and what they say about framing. */
export interface ResponseHead {
  readonly status: number;
  readonly statusText: string;
  /** Flat `[name, value, ...]` as sent, one char per byte (latin1), like Node's `rawHeaders`. */
  readonly headers: string[];
  /** The Content-Length, or -1 without one. */
  readonly contentLength: number;
  /** `Transfer-Encoding: chunked`. */
  readonly chunked: boolean;
  /** The connection may carry another request after this response (HTTP/1.1 without close). */
  readonly keepAlive: boolean;
  /** `Keep-Alive: timeout=N` in ms, or -1 without one. */
  readonly keepAliveTimeoutMs: number;
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
  const headers: string[] = [];
  const framing = {
    contentLength: -1,
    chunked: false,
    close: false,
    keepAlive: false,
    timeout: -1,
  };
  readFields(text, lineEnd + 2, headers, framing);
  if (framing.chunked && framing.contentLength !== -1) {
    throw new UpstreamError(
      'HPE_UNEXPECTED_CONTENT_LENGTH',
      'both Content-Length and Transfer-Encoding',
    );
  }
  return {
    status,
    statusText,
    headers,
    contentLength: framing.contentLength,
    chunked: framing.chunked,
    keepAlive: !framing.close && (minor === 0x31 || framing.keepAlive),
    keepAliveTimeoutMs: framing.timeout,
  };
}

/**
 * Parses the trailer section of a chunked body (`text` as in {@link parseHead}, without the
 * status line) into a flat `[name, value, ...]` list.
 */
export function parseTrailers(text: string): string[] {
  const fields: string[] = [];
  readFields(text, 0, fields, undefined);
  return fields;
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

/** Reads CRLF-separated `name: value` lines from `start` to the end of `text` into `out`. */
function readFields(text: string, start: number, out: string[], framing: Framing | undefined) {
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
    const name = text.slice(pos, colon);
    const value = text.slice(from, to);
    out.push(name, value);
    if (framing !== undefined) noteFraming(name, value, framing);
    pos = eol + 2;
  }
}

function isSpace(c: number): boolean {
  return c === SP || c === HTAB;
}

/** Lowercases only names whose length matches a framing field: the common case stays cheap. */
function noteFraming(name: string, value: string, framing: Framing): void {
  switch (name.length) {
    case 14:
      if (!equalsLower(name, 'content-length')) return;
      if (framing.contentLength !== -1) {
        throw new UpstreamError('HPE_UNEXPECTED_CONTENT_LENGTH', 'duplicate Content-Length');
      }
      if (!/^\d{1,15}$/.test(value)) {
        throw new UpstreamError('HPE_INVALID_CONTENT_LENGTH', 'invalid Content-Length');
      }
      framing.contentLength = Number(value);
      return;
    case 17:
      if (!equalsLower(name, 'transfer-encoding')) return;
      // Only chunked, once: any other coding would reach the client without its framing.
      if (framing.chunked || !equalsLower(value, 'chunked')) {
        throw new UpstreamError(
          'HPE_INVALID_TRANSFER_ENCODING',
          `unsupported Transfer-Encoding: ${value}`,
        );
      }
      framing.chunked = true;
      return;
    case 10: {
      if (equalsLower(name, 'connection')) noteConnection(value, framing);
      else if (equalsLower(name, 'keep-alive')) noteKeepAlive(value, framing);
      return;
    }
  }
}

function noteConnection(value: string, framing: Framing): void {
  if (equalsLower(value, 'keep-alive')) framing.keepAlive = true;
  else if (equalsLower(value, 'close')) framing.close = true;
  else {
    for (const token of value.toLowerCase().split(',')) {
      const option = token.trim();
      if (option === 'close') framing.close = true;
      else if (option === 'keep-alive') framing.keepAlive = true;
    }
  }
}

/** The last `Keep-Alive` value seen and its timeout: an upstream sends the same one each time. */
let lastKeepAlive = '';
let lastTimeout = -1;

function noteKeepAlive(value: string, framing: Framing): void {
  if (value !== lastKeepAlive) {
    const match = /(?:^|[\s,])timeout\s*=\s*(\d+)/i.exec(value);
    lastTimeout = match === null ? -1 : Number(match[1]) * 1000;
    lastKeepAlive = value;
  }
  if (lastTimeout !== -1) framing.timeout = lastTimeout;
}
