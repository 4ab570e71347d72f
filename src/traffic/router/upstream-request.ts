import type { Readable } from 'node:stream';
import type { ResponseHead } from './response-head.js';
import { equalsLower } from './ascii-case.js';

/** One request for an {@link UpstreamClient}: what goes on the wire. */
export interface UpstreamRequest {
  readonly method: string;
  /** Origin form: `/path?query`. */
  readonly path: string;
  /**
   * Flat `[name, value, ...]`, Host included, as latin1 strings (Node's `rawHeaders`, already
   * validated by its parser): written as they are, one byte per char. `Connection: keep-alive`
   * is added.
   */
  readonly headers: readonly string[];
  /**
   * None; a Buffer, sent in the same write as the head; or a stream whose length a
   * Content-Length among `headers` announces, streamed with backpressure.
   */
  readonly body: Buffer | Readable | null;
  /** How long the response head may take once the request is sent; 0 for no limit. */
  readonly headersTimeout: number;
  /** How long the upstream may stay silent between body bytes; 0 for no limit. */
  readonly bodyTimeout: number;
}

/**
 * What the client reports a request's progress to: undici's dispatch handler callbacks (in
 * their raw form), so an undici handler and this client's are the same. Exactly one of
 * `onComplete` and `onError` ends every request.
 */
export interface UpstreamHandler {
  /** A connection is open and the request is about to be written; `abort` cancels it. */
  onConnect(abort: (error?: Error) => void): void;
  /**
   * A response head, 1xx informational ones included. `rawHeaders` is a flat latin1 list.
   * Returning false pauses the response until `resume`.
   */
  onHeaders(status: number, rawHeaders: string[], resume: () => void, statusText: string): boolean;
  /**
   * The router's own client calls this, when the handler has it, instead of `onHeaders`: the
   * parsed head, fields as offsets into its text (response-head.ts). Same return value.
   */
  onResponseHead?(head: ResponseHead, resume: () => void): boolean;
  /** Body bytes; returning false pauses the response until `resume`. */
  onData(chunk: Buffer): boolean;
  /**
   * The router's own client calls this, when the handler has it, instead of `onData`: the body
   * bytes are `bytes[from..to)`, valid only during the call (the socket's read buffer), so the
   * handler copies what it keeps. Same return value.
   */
  onBodyBytes?(bytes: Buffer, from: number, to: number): boolean;
  /** The response is complete; trailers of a chunked body as a flat list, or null. */
  onComplete(trailers: string[] | null): void;
  onError(error: Error): void;
}

const payloadMethods = new Set(['POST', 'PUT', 'PATCH']);

/**
 * The request head on the wire, up to and including the empty line, with a Content-Length of
 * `addedLength` when that is not -1. A POST, PUT or PATCH without body says
 * `content-length: 0`, as undici does, so the upstream waits for nothing.
 */
export function requestHead(request: UpstreamRequest, addedLength: number): string {
  const headers = request.headers;
  let head = `${request.method} ${request.path} HTTP/1.1\r\n`;
  for (let i = 0; i < headers.length; i += 2) {
    head += `${headers[i]}: ${headers[i + 1]}\r\n`;
  }
  if (addedLength >= 0) head += `content-length: ${addedLength}\r\n`;
  else if (request.body === null && payloadMethods.has(request.method)) {
    if (declaredLength(headers) === -1) head += 'content-length: 0\r\n';
  }
  return `${head}connection: keep-alive\r\n\r\n`;
}

/** The Content-Length among `headers`, or -1 without a valid one. */
export function declaredLength(headers: readonly string[]): number {
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    if (equalsLower(name, 'content-length')) {
      const value = (headers[i + 1] as string).trim();
      return /^\d{1,15}$/.test(value) ? Number(value) : -1;
    }
  }
  return -1;
}
