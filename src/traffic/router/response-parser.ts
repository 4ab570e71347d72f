import { Buffer } from 'node:buffer';
import { findHeadEnd } from './byte-copy.js';
import { parseHead, parseTrailers, type ResponseHead } from './response-head.js';
import { UpstreamError } from './upstream-errors.js';

/** Where a {@link ResponseParser} delivers what it parsed, synchronously. */
export interface ResponseSink {
  /**
   * A complete, valid head: 1xx informational ones too, then the final one. The head refers to
   * the socket's chunk and to the parser's own field list, both reused: it is valid only during
   * the call, and a sink that keeps anything of it takes `head.headers` (strings) there.
   */
  onHead(head: ResponseHead): void;
  /**
   * Body bytes, de-chunked: `bytes[from..to)` of the socket's chunk, valid only during the call
   * (the chunk's buffer is read into again); a sink copies what it keeps.
   */
  onBody(bytes: Buffer, from: number, to: number): void;
}

// Parser states.
const IDLE = 0;
const HEAD = 1;
/** A Content-Length body. */
const LENGTH = 2;
const CHUNK_SIZE = 3;
const CHUNK_EXTENSION = 4;
const CHUNK_SIZE_LF = 5;
const CHUNK_DATA = 6;
const CHUNK_DATA_CR = 7;
const CHUNK_DATA_LF = 8;
const TRAILERS = 9;
/** A body without length: it ends when the connection does. */
const UNTIL_CLOSE = 10;
/** The response is complete. */
const DONE = 11;
/** Stopped: bytes are ignored until the next `start`. */
const STOPPED = 12;

const CR = 0x0d;
const LF = 0x0a;

/** Hex digit values, -1 for other bytes. */
const hex = new Int8Array(256).fill(-1);
for (let c = 0; c < 16; c++) {
  hex[c.toString(16).charCodeAt(0)] = c;
  hex[c.toString(16).toUpperCase().charCodeAt(0)] = c;
}

/**
 * An incremental HTTP/1.1 response parser for one connection, one response at a time: feed it
 * the socket's chunks as they come, split anywhere. Heads are buffered until complete and then
 * validated whole (response-head.ts); bodies are passed on as ranges of the chunk, de-chunked,
 * without copying. Framing errors throw an {@link UpstreamError}.
 */
export class ResponseParser {
  private state = IDLE;
  /** Head or trailer bytes so far, when they span chunks. */
  private pending: Buffer | undefined;
  /** Bytes left of the Content-Length body or of the current chunk. */
  private left = 0;
  private sizeDigits = 0;
  private extensionBytes = 0;
  private bodyless = false;
  /** Bytes of the current response arrived. */
  received = false;
  /** Trailer fields of a chunked body, once complete. */
  trailers: string[] | null = null;
  /** The field offsets of the head being delivered, reused from one response to the next. */
  private readonly fields: number[] = [];

  constructor(
    private readonly sink: ResponseSink,
    /** Largest head or trailer section accepted. */
    private readonly maxHeadBytes = 16 * 1024,
  ) {}

  /** Expects the response to a new request; one to HEAD has no body whatever its head says. */
  start(headRequest: boolean): void {
    this.state = HEAD;
    this.pending = undefined;
    this.bodyless = headRequest;
    this.received = false;
    this.trailers = null;
  }

  /** Ignores what follows, until the next {@link start}. */
  stop(): void {
    this.state = STOPPED;
    this.pending = undefined;
  }

  /** The response is complete. */
  get done(): boolean {
    return this.state === DONE;
  }

  /** The body runs until the connection closes: call {@link end} then. */
  get untilClose(): boolean {
    return this.state === UNTIL_CLOSE;
  }

  /**
   * Parses `chunk` up to `end`, calling the sink as it goes. Returns how many bytes followed a
   * complete response (none belong to anything: the connection carries one request at a time).
   * `chunk` may be reused once this returns: what the parser keeps of it, it copies.
   */
  execute(chunk: Buffer, end = chunk.length): number {
    let pos = 0;
    if (end > 0 && this.state !== IDLE) this.received = true;
    while (pos < end) {
      switch (this.state) {
        case HEAD:
          pos = this.readHead(chunk, pos, end);
          break;
        case LENGTH: {
          const n = Math.min(this.left, end - pos);
          this.left -= n;
          if (this.left === 0) this.state = DONE;
          this.deliver(chunk, pos, n);
          pos += n;
          break;
        }
        case CHUNK_SIZE: {
          const c = chunk[pos]!;
          const value = hex[c]!;
          if (value >= 0) {
            // 13 hex digits stay below 2^53: no precision is lost.
            if (++this.sizeDigits > 13) throw badChunk('chunk size too large');
            this.left = this.left * 16 + value;
          } else if (this.sizeDigits === 0) {
            throw badChunk('chunk size expected');
          } else if (c === 0x3b) {
            this.state = CHUNK_EXTENSION;
            this.extensionBytes = 0;
          } else if (c === CR) {
            this.state = CHUNK_SIZE_LF;
          } else {
            throw badChunk('invalid character in chunk size');
          }
          pos++;
          break;
        }
        case CHUNK_EXTENSION: {
          const c = chunk[pos]!;
          if (c === CR) this.state = CHUNK_SIZE_LF;
          else if ((c < 0x20 && c !== 0x09) || c === 0x7f) {
            throw badChunk('invalid character in chunk extension');
          } else if (++this.extensionBytes > this.maxHeadBytes) {
            throw badChunk('chunk extension too long');
          }
          pos++;
          break;
        }
        case CHUNK_SIZE_LF:
          if (chunk[pos] !== LF) throw badChunk('CR without LF after chunk size');
          pos++;
          this.sizeDigits = 0;
          this.state = this.left === 0 ? TRAILERS : CHUNK_DATA;
          break;
        case CHUNK_DATA: {
          const n = Math.min(this.left, end - pos);
          this.left -= n;
          if (this.left === 0) this.state = CHUNK_DATA_CR;
          this.deliver(chunk, pos, n);
          pos += n;
          break;
        }
        case CHUNK_DATA_CR:
          if (chunk[pos] !== CR) throw badChunk('chunk data longer than its size');
          this.state = CHUNK_DATA_LF;
          pos++;
          break;
        case CHUNK_DATA_LF:
          if (chunk[pos] !== LF) throw badChunk('CR without LF after chunk data');
          this.state = CHUNK_SIZE;
          pos++;
          break;
        case TRAILERS:
          pos = this.readTrailers(chunk, pos, end);
          break;
        case UNTIL_CLOSE:
          this.deliver(chunk, pos, end - pos);
          pos = end;
          break;
        case STOPPED:
          return 0;
        default:
          // DONE or IDLE: nobody asked for these bytes.
          return end - pos;
      }
    }
    return 0;
  }

  /**
   * The connection ended: completes a body that runs until close, and otherwise returns the
   * error for a response cut short (undefined when none was expected).
   */
  end(): UpstreamError | undefined {
    switch (this.state) {
      case UNTIL_CLOSE:
        this.state = DONE;
        return undefined;
      case LENGTH:
        this.state = STOPPED;
        return new UpstreamError(
          'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
          'the upstream closed the connection before the whole Content-Length body',
        );
      case IDLE:
      case DONE:
      case STOPPED:
        return undefined;
      default:
        this.state = STOPPED;
        return new UpstreamError('UND_ERR_SOCKET', 'other side closed');
    }
  }

  private deliver(chunk: Buffer, pos: number, n: number): void {
    this.sink.onBody(chunk, pos, pos + n);
  }

  private readHead(chunk: Buffer, pos: number, end: number): number {
    let bytes = chunk;
    let from = pos;
    let searchFrom = pos;
    let last = end;
    const pending = this.pending;
    if (pending !== undefined) {
      bytes = Buffer.concat([pending, chunk.subarray(pos, end)]);
      from = 0;
      searchFrom = Math.max(0, pending.length - 3);
      last = bytes.length;
    }
    const at = findHeadEnd(bytes, searchFrom, last);
    if (at === -1 || at - from > this.maxHeadBytes) {
      if (last - from > this.maxHeadBytes) {
        throw new UpstreamError('HPE_HEADER_OVERFLOW', 'response head too large');
      }
      this.pending = Buffer.from(bytes.subarray(from, last));
      return end;
    }
    this.pending = undefined;
    // Parsed where it lies: the head is valid during onHead only (see ResponseSink).
    const head = parseHead(bytes, from, at, this.fields);
    const next = pending === undefined ? at + 4 : pos + at + 4 - pending.length;
    const status = head.status;
    if (status < 200) {
      if (status === 101) {
        throw new UpstreamError(
          'HPE_STRICT',
          '101 Switching Protocols to a request without Upgrade',
        );
      }
      // Informational: the final response follows on the same request.
      this.sink.onHead(head);
      return next;
    }
    if (this.bodyless || status === 204 || status === 304) {
      this.state = DONE;
    } else if (head.chunked) {
      this.state = CHUNK_SIZE;
      this.left = 0;
      this.sizeDigits = 0;
    } else if (head.contentLength >= 0) {
      this.left = head.contentLength;
      this.state = this.left === 0 ? DONE : LENGTH;
    } else {
      this.state = UNTIL_CLOSE;
    }
    // After the state: a sink that stops the parser has the last word.
    this.sink.onHead(head);
    return next;
  }

  /** The trailer section after the last chunk: fields, then an empty line. */
  private readTrailers(chunk: Buffer, pos: number, end: number): number {
    const pending = this.pending;
    const bytes =
      pending === undefined ? chunk : Buffer.concat([pending, chunk.subarray(pos, end)]);
    const from = pending === undefined ? pos : 0;
    const last = pending === undefined ? end : bytes.length;
    const available = last - from;
    if (available < 2) {
      this.pending = Buffer.from(bytes.subarray(from, last));
      return end;
    }
    let fieldsEnd: number;
    let sectionEnd: number;
    if (bytes[from] === CR && bytes[from + 1] === LF) {
      fieldsEnd = from;
      sectionEnd = from + 2;
    } else {
      const at = findHeadEnd(bytes, from, last);
      if (at === -1 || at - from > this.maxHeadBytes) {
        if (available > this.maxHeadBytes) {
          throw new UpstreamError('HPE_HEADER_OVERFLOW', 'trailer section too large');
        }
        this.pending = Buffer.from(bytes.subarray(from, last));
        return end;
      }
      fieldsEnd = at;
      sectionEnd = at + 4;
    }
    this.pending = undefined;
    const fields = fieldsEnd > from ? parseTrailers(bytes, from, fieldsEnd) : [];
    this.trailers = fields;
    this.state = DONE;
    return pending === undefined ? sectionEnd : pos + sectionEnd - pending.length;
  }
}

function badChunk(message: string): UpstreamError {
  return new UpstreamError('HPE_INVALID_CHUNK_SIZE', message);
}
