import { Buffer } from 'node:buffer';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { DirectWriter } from './socket-io.js';
import { bytesEqualLower, equalsLower } from './ascii-case.js';
import { copyBytes, writeLatin1 } from './byte-copy.js';
import {
  FIELD_COLON,
  FIELD_HOP,
  FIELD_LINE_END,
  FIELD_NAME,
  FIELD_STRIDE,
  FIELD_VALUE,
  FIELD_VALUE_END,
  type ResponseHead,
} from './response-head.js';

/**
 * The response to a request of the listener's fast path (client-connection.ts): the part of
 * node:http's `ServerResponse` the exchange and the error answers use (exchange.ts,
 * error-response.ts), writing the very bytes node:http wrote for them — the same status line,
 * the fields in the same order, then `Date`, `Connection` and `Keep-Alive`, and chunked framing
 * when no length is known — without a stream object per request. The head waits for the first
 * body bytes, so a small response leaves in one write; each call writes one buffer (socket-io.ts).
 */
export class ClientResponse {
  /** As on node:http: false makes the response say `Connection: close` and end the connection. */
  shouldKeepAlive: boolean;
  headersSent = false;
  /** The whole response is written (queued on the socket). */
  writableFinished = false;
  /** The head, until it leaves with the first body bytes or the end. */
  private head: string | undefined;
  /** Or the head as bytes (a forwarded one), its first {@link headSize} bytes; then room. */
  private headBytes: Buffer | undefined;
  private headSize = 0;
  private hasBody: boolean;
  private chunked = false;
  private trailer = '';
  private onClose: ((this: ClientResponse) => void) | undefined;
  private onDrain: ((this: ClientResponse) => void) | undefined;

  private readonly socket: Socket;

  constructor(
    private readonly writer: DirectWriter,
    method: string,
    keepAlive: boolean,
    private readonly keepAliveTimeoutMs: number,
    private readonly onFinish: (response: ClientResponse) => void,
  ) {
    this.socket = writer.socket;
    this.shouldKeepAlive = keepAlive;
    this.hasBody = method !== 'HEAD';
  }

  get destroyed(): boolean {
    return this.socket.destroyed;
  }

  /** The listeners the exchange uses: `close` (the client went away) and `drain`, one each. */
  on(event: 'close' | 'drain', listener: (this: ClientResponse) => void): this {
    if (event === 'close') this.onClose = listener;
    else this.onDrain = listener;
    return this;
  }

  once(event: 'close' | 'drain', listener: (this: ClientResponse) => void): this {
    return this.on(event, listener);
  }

  /** Called by the connection when its socket closed before the response was complete. */
  closed(): void {
    this.onClose?.call(this);
  }

  /** Called by the connection when its socket drained. */
  drained(): void {
    const listener = this.onDrain;
    this.onDrain = undefined;
    listener?.call(this);
  }

  /**
   * node:http's `writeHead(status, [reason], flatHeaders)`: validates like it (a bad status, name
   * or value throws before anything is written) and composes the same head. `fieldsChecked`: the
   * names and values were already checked as strictly (the router's response parser, the pin
   * cookie it writes), so their characters are not tested again; node:http ignores the argument.
   */
  writeHead(
    status: number,
    reason?: string | readonly string[],
    fields?: readonly string[],
    fieldsChecked = false,
  ): this {
    if (typeof reason !== 'string') {
      fields = reason;
      reason = undefined;
    }
    status |= 0;
    if (status < 100 || status > 999) throw new RangeError(`Invalid status code: ${status}`);
    // As node:http: a reason given, even empty, is written as given.
    const statusText = reason ?? (STATUS_CODES[status] || 'unknown');
    if (invalidValue.test(statusText)) throw new TypeError('Invalid character in statusMessage');
    // Decided into locals and set at the end: a field node:http refuses leaves nothing changed.
    const hasBody = this.hasBody && !(status === 204 || status === 304 || status < 200);
    let keepAlive = this.shouldKeepAlive;
    let chunked = false;
    let head = `HTTP/1.1 ${status} ${statusText}\r\n`;
    let date = false;
    let connection = false;
    let length = false;
    let transferEncoding = false;
    const list = fields ?? [];
    for (let i = 0; i < list.length; i += 2) {
      const name = list[i] as string;
      const value = list[i + 1] as string;
      if (!fieldsChecked) {
        if (!token.test(name))
          throw new TypeError(`Header name must be a valid HTTP token ["${name}"]`);
        if (invalidValue.test(value))
          throw new TypeError(`Invalid character in header content ["${name}"]`);
      }
      head += `${name}: ${value}\r\n`;
      switch (name.length) {
        case 4:
          if (equalsLower(name, 'date')) date = true;
          break;
        case 10:
          if (equalsLower(name, 'connection')) {
            connection = true;
            keepAlive = !connectionClose.test(value);
          }
          break;
        case 14:
          if (equalsLower(name, 'content-length')) length = true;
          break;
        case 17:
          if (equalsLower(name, 'transfer-encoding')) {
            transferEncoding = true;
            if (chunkedCoding.test(value)) chunked = true;
          }
          break;
      }
    }
    this.endHead(head, hasBody, keepAlive, chunked, date, connection, length || transferEncoding);
    return this;
  }

  /**
   * The head of a response forwarded from an upstream: the same bytes {@link writeHead} writes
   * for `head.headers` without the fields the parser marked hop-by-hop ({@link FIELD_HOP}; the
   * caller takes the string path when Connection names more), plus one field
   * `extraName: extraValue` (the pin cookie) when given. Fields that are already written as
   * node:http writes them (`name: value`, one space) are copied from the upstream's bytes a run
   * of lines at a time, without a string per field, into a buffer with room for a small body
   * announced by Content-Length, so head and body leave in one write without another copy.
   * Status and fields come from the router's parser, as strict as writeHead's checks.
   */
  writeForwardedHead(head: ResponseHead, extraName?: string, extraValue?: string): void {
    const bytes = head.bytes;
    const fields = head.fields;
    const status = head.status;
    const start = head.start;
    const statusLineEnd = head.statusLineEnd;
    const statusLine = statusLineEnd - start;
    const hasBody = this.hasBody && !(status === 204 || status === 304 || status < 200);
    // "HTTP/1.1 " and the upstream's "SSS reason", with the space node:http writes before an
    // empty reason.
    let size = statusLine + (statusLine === 12 ? 1 : 0) + 2;
    let date = false;
    // The parser allows one Content-Length, and it is forwarded.
    const length = head.contentLength >= 0;
    const fieldsEnd = head.fieldsEnd;
    for (let f = 0; f < fieldsEnd; f += FIELD_STRIDE) {
      if (fields[f + FIELD_HOP] === 1) continue;
      const name = fields[f + FIELD_NAME] as number;
      const colon = fields[f + FIELD_COLON] as number;
      if (colon - name === 4 && bytesEqualLower(bytes, name, colon, 'date')) date = true;
      size +=
        colon -
        name +
        4 +
        (fields[f + FIELD_VALUE_END] as number) -
        (fields[f + FIELD_VALUE] as number);
    }
    const extra = extraName === undefined ? '' : `${extraName}: ${extraValue ?? ''}\r\n`;
    const keepAlive = this.shouldKeepAlive;
    const chunked = !length && hasBody;
    const tail = headTail(date, keepAlive, this.keepAliveTimeoutMs, chunked);
    size += extra.length + tail.bytes.length;
    const reserve =
      hasBody && length && head.contentLength <= maxCopiedBody ? head.contentLength : 0;
    const out = Buffer.allocUnsafe(size + reserve);
    let at = writeLatin1('HTTP/1.1 ', out, 0);
    at = copyBytes(bytes, start + 9, statusLineEnd, out, at);
    if (statusLine === 12) out[at++] = SP;
    out[at++] = CR;
    out[at++] = LF;
    let runStart = -1;
    let runEnd = -1;
    for (let f = 0; f < fieldsEnd; f += FIELD_STRIDE) {
      if (fields[f + FIELD_HOP] === 1) continue;
      const name = fields[f + FIELD_NAME] as number;
      const colon = fields[f + FIELD_COLON] as number;
      const from = fields[f + FIELD_VALUE] as number;
      const to = fields[f + FIELD_VALUE_END] as number;
      const lineEnd = fields[f + FIELD_LINE_END] as number;
      const canonical = from === colon + 2 && to === lineEnd && bytes[colon + 1] === SP;
      if (canonical && runEnd !== -1 && name === runEnd + 2) {
        runEnd = lineEnd;
        continue;
      }
      if (runStart !== -1) at = endLine(out, copyBytes(bytes, runStart, runEnd, out, at));
      runStart = -1;
      runEnd = -1;
      if (canonical) {
        runStart = name;
        runEnd = lineEnd;
      } else {
        at = copyBytes(bytes, name, colon, out, at);
        out[at++] = COLON;
        out[at++] = SP;
        at = endLine(out, copyBytes(bytes, from, to, out, at));
      }
    }
    if (runStart !== -1) at = endLine(out, copyBytes(bytes, runStart, runEnd, out, at));
    at = writeLatin1(extra, out, at);
    out.set(tail.bytes, at);
    this.hasBody = hasBody;
    this.chunked = chunked;
    this.headBytes = out;
    this.headSize = size;
    this.headersSent = true;
  }

  /** What node:http adds after the fields: Date, Connection, Keep-Alive, chunked framing. */
  private endHead(
    fields: string,
    hasBody: boolean,
    keepAlive: boolean,
    chunked: boolean,
    date: boolean,
    connection: boolean,
    framed: boolean,
  ): void {
    const addChunked = !framed && hasBody;
    const tail = connection
      ? headTail(date, undefined, 0, addChunked)
      : headTail(date, keepAlive, this.keepAliveTimeoutMs, addChunked);
    this.hasBody = hasBody;
    this.shouldKeepAlive = keepAlive;
    this.chunked = chunked || addChunked;
    this.head = `${fields}${tail.text}`;
    this.headersSent = true;
  }

  /** node:http's `writeEarlyHints`: a 103 with the Link field (none: nothing is sent). */
  writeEarlyHints(hints: Record<string, string | string[]>): void {
    const link = hints.link;
    if (link === undefined) return;
    const value = Array.isArray(link) ? link.join(', ') : link;
    if (value.length === 0) return;
    if (!linkValue.test(value)) throw new TypeError(`Invalid Link header value: ${value}`);
    let head = `HTTP/1.1 103 Early Hints\r\nLink: ${value}\r\n`;
    for (const key of Object.keys(hints)) {
      if (key !== 'link') head += `${key}: ${String(hints[key])}\r\n`;
    }
    this.writer.write(`${head}\r\n`);
  }

  write(chunk: Buffer): boolean {
    if (this.socket.destroyed) return false;
    if (!this.hasBody || chunk.length === 0) {
      this.flushHead();
      return true;
    }
    if (this.headBytes !== undefined) return this.writeAfterHeadBytes(chunk, 0, chunk.length, '');
    const head = this.head ?? '';
    this.head = undefined;
    if (!this.chunked) {
      if (head.length === 0) return this.writer.write(chunk);
      return this.writer.write(framed(head, chunk, ''));
    }
    return this.writer.write(framed(`${head}${chunk.length.toString(16)}\r\n`, chunk, '\r\n'));
  }

  /** Trailer fields, sent after a chunked body only (as node:http does). */
  addTrailers(fields: Record<string, string | string[]>): void {
    for (const name of Object.keys(fields)) {
      const values = fields[name] as string | string[];
      for (const value of Array.isArray(values) ? values : [values]) {
        if (!token.test(name))
          throw new TypeError(`Trailer name must be a valid HTTP token ["${name}"]`);
        if (invalidValue.test(value))
          throw new TypeError(`Invalid character in trailer content ["${name}"]`);
        this.trailer += `${name}: ${value}\r\n`;
      }
    }
  }

  end(chunk?: Buffer): this {
    if (this.writableFinished) return this;
    if (this.head === undefined && !this.headersSent) this.writeHead(200);
    const socket = this.socket;
    if (!socket.destroyed) {
      const body = chunk !== undefined && this.hasBody ? chunk : undefined;
      if (this.headBytes !== undefined) {
        this.writeAfterHeadBytes(body, 0, body === undefined ? 0 : body.length, this.bodyEnd());
        this.writableFinished = true;
        this.onFinish(this);
        return this;
      }
      const head = this.head;
      if (head !== undefined && (body === undefined || body.length <= maxCopiedBody)) {
        // The common small response: head, body and end in one buffer, one write.
        this.head = undefined;
        this.writeWhole(head, body);
        this.writableFinished = true;
        this.onFinish(this);
        return this;
      }
      if (chunk !== undefined) this.write(chunk);
      const rest = `${this.head ?? ''}${this.bodyEnd()}`;
      this.head = undefined;
      if (rest.length > 0) this.writer.write(rest);
    }
    this.writableFinished = true;
    this.onFinish(this);
    return this;
  }

  /**
   * Ends the response with `bytes[from..to)` as the rest of its body, copied behind the head
   * still waiting in {@link headBytes}, so the bytes need to live only during the call. False,
   * with nothing done, when there is no such head (the caller then ends it with a copy).
   */
  endWithBytes(bytes: Uint8Array, from: number, to: number): boolean {
    if (this.headBytes === undefined || !this.hasBody || this.socket.destroyed) return false;
    this.writeAfterHeadBytes(bytes, from, to, this.bodyEnd());
    this.writableFinished = true;
    this.onFinish(this);
    return true;
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** What ends the body: the last chunk and trailers of a chunked one, nothing otherwise. */
  private bodyEnd(): string {
    return this.chunked && this.hasBody ? `0\r\n${this.trailer}\r\n` : '';
  }

  /** `head`, then `body` framed as the response says, then the end of a chunked body. */
  private writeWhole(head: string, body: Buffer | undefined): void {
    const chunked = this.chunked && this.hasBody;
    const end = this.bodyEnd();
    if (body === undefined || body.length === 0) {
      this.writer.write(`${head}${end}`);
      return;
    }
    if (chunked) {
      this.writer.write(framed(`${head}${body.length.toString(16)}\r\n`, body, `\r\n${end}`));
    } else {
      this.writer.write(framed(head, body, end));
    }
  }

  /**
   * The head in {@link headBytes}, then `body[from..to)` framed as the response says, then `end`
   * (latin1), in one write: the body goes into the room the head left for it when it fits, and
   * is copied either way (the caller's bytes need not outlive the call).
   */
  private writeAfterHeadBytes(
    body: Uint8Array | undefined,
    from: number,
    to: number,
    end: string,
  ): boolean {
    const buffer = this.headBytes as Buffer;
    const headSize = this.headSize;
    this.headBytes = undefined;
    const n = to - from;
    const chunked = this.chunked && this.hasBody;
    const prefix = chunked && n > 0 ? `${n.toString(16)}\r\n` : '';
    const suffix = chunked && n > 0 ? `\r\n${end}` : end;
    const total = headSize + prefix.length + n + suffix.length;
    let out = buffer;
    if (total > buffer.length) {
      out = Buffer.allocUnsafe(total);
      copyBytes(buffer, 0, headSize, out, 0);
    }
    let at = writeLatin1(prefix, out, headSize);
    if (body !== undefined) at = copyBytes(body, from, to, out, at);
    at = writeLatin1(suffix, out, at);
    return this.writer.write(at === out.length ? out : out.subarray(0, at));
  }

  private flushHead(): void {
    if (this.headBytes !== undefined) {
      this.writeAfterHeadBytes(undefined, 0, 0, '');
      return;
    }
    const head = this.head;
    if (head === undefined) return;
    this.head = undefined;
    this.writer.write(head);
  }
}

/** `before` and `after` (latin1) around `body`, in one buffer: one write for the three. */
function framed(before: string, body: Buffer, after: string): Buffer {
  const whole = Buffer.allocUnsafe(before.length + body.length + after.length);
  whole.write(before, 0, 'latin1');
  body.copy(whole, before.length);
  if (after.length > 0) whole.write(after, before.length + body.length, 'latin1');
  return whole;
}

const SP = 0x20;
/** Bodies up to this size are copied behind the head to leave in one write. */
const maxCopiedBody = 16_384;
/** node:http's checks (lib/_http_common.js). */
const token = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/;
const invalidValue = /[^\t\x20-\x7e\x80-\xff]/;
const connectionClose = /(?:^|\W)close(?:$|\W)/i;
const chunkedCoding = /(?:^|\W)chunked(?:$|\W)/i;
/** node:http's `validateLinkHeaderValue`. */
const linkValue = /^(?:<[^>]*>)(?:\s*;\s*[^;"\s]+(?:=(")?[^;"\s]*\1)?)*$/;

const CR = 0x0d;
const LF = 0x0a;
const COLON = 0x3a;

/** CRLF at `at`; returns where it ends. */
function endLine(out: Buffer, at: number): number {
  out[at] = CR;
  out[at + 1] = LF;
  return at + 2;
}

/** A head's tail as text (string heads) and as latin1 bytes (forwarded heads, one native copy). */
interface HeadTail {
  readonly text: string;
  readonly bytes: Buffer;
}

/** The last tail {@link headTail} made, and what it was made for. */
let lastTail: HeadTail = { text: '', bytes: Buffer.alloc(0) };
let lastDate: string | undefined;
let lastKeepAlive: boolean | undefined;
let lastTimeoutMs = -1;
let lastChunked = false;

/**
 * What node:http writes after the fields, through the empty line: `Date` unless the fields had
 * one, `Connection` (and `Keep-Alive: timeout`) unless they had one (`keepAlive` undefined),
 * `Transfer-Encoding: chunked` when the body gets chunked framing.
 */
function headTail(
  date: boolean,
  keepAlive: boolean | undefined,
  keepAliveTimeoutMs: number,
  chunked: boolean,
): HeadTail {
  const dateValue = date ? '' : utcDate();
  // The same tail for every response within a second: a few comparisons instead of strings.
  if (
    dateValue === lastDate &&
    keepAlive === lastKeepAlive &&
    keepAliveTimeoutMs === lastTimeoutMs &&
    chunked === lastChunked
  ) {
    return lastTail;
  }
  let tail = date ? '' : `Date: ${dateValue}\r\n`;
  if (keepAlive === true) {
    tail += 'Connection: keep-alive\r\n';
    if (keepAliveTimeoutMs > 0) {
      tail += `Keep-Alive: timeout=${Math.floor(keepAliveTimeoutMs / 1000)}\r\n`;
    }
  } else if (keepAlive === false) {
    tail += 'Connection: close\r\n';
  }
  if (chunked) tail += 'Transfer-Encoding: chunked\r\n';
  const text = `${tail}\r\n`;
  lastTail = { text, bytes: Buffer.from(text, 'latin1') };
  lastDate = dateValue;
  lastKeepAlive = keepAlive;
  lastTimeoutMs = keepAliveTimeoutMs;
  lastChunked = chunked;
  return lastTail;
}

let cachedDate: string | undefined;
let cachedSecond = -1;

/** The Date field, formatted once a second as node:http does. */
function utcDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== cachedSecond || cachedDate === undefined) {
    cachedSecond = second;
    cachedDate = new Date(now).toUTCString();
  }
  return cachedDate;
}
