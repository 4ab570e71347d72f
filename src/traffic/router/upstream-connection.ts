import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import { connect, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { ResponseHead } from './response-head.js';
import { ResponseParser, type ResponseSink } from './response-parser.js';
import { DirectWriter } from './socket-io.js';
import { UpstreamError } from './upstream-errors.js';
import {
  declaredLength,
  requestHead,
  type UpstreamHandler,
  type UpstreamRequest,
} from './upstream-request.js';
import { copyOut } from './byte-copy.js';

/** What a connection needs from the client that pools it. */
export interface ConnectionOwner {
  readonly host: string;
  readonly port: number;
  readonly connectTimeoutMs: number;
  /** The response is complete and the connection may carry another request. */
  release(connection: UpstreamConnection): void;
  /** The connection closed (or is closing): it serves no request any more. */
  closed(connection: UpstreamConnection): void;
}

/** One request from dispatch to its end: the callbacks its handler got are bound to it. */
export class Dispatch {
  /** `onComplete` or `onError` was called. */
  settled = false;
  /** Paused by the handler (backpressure). */
  paused = false;
  /** The whole body went out (true without a body). */
  bodySent = true;
  connection: UpstreamConnection | undefined;

  constructor(
    readonly request: UpstreamRequest,
    readonly handler: UpstreamHandler,
  ) {}

  /** Given to the handler: a late call, after the request ended, touches nothing. */
  readonly abort = (error?: Error): void => {
    if (this.settled) return;
    this.connection?.fail(this, error ?? new UpstreamError('UND_ERR_ABORTED', 'request aborted'));
  };

  readonly resume = (): void => {
    if (!this.settled) this.connection?.resume(this);
  };
}

// What the connection's one timer watches.
const NONE = 0;
const CONNECT = 1;
const HEADERS = 2;
const BODY = 3;
const IDLE = 4;
type Deadline = typeof NONE | typeof CONNECT | typeof HEADERS | typeof BODY | typeof IDLE;

/**
 * Where every connection's socket reads into (`onread`): no Buffer and no stream event per read.
 * One is enough, as each read is parsed before the next; body bytes are copied out of it.
 */
const readBuffer = Buffer.allocUnsafe(64 * 1024);

/** undici's `keepAliveTimeoutThreshold`: an upstream's `Keep-Alive: timeout` less this margin. */
const keepAliveMarginMs = 2_000;

/**
 * One keep-alive socket to an upstream, carrying one request at a time. Its listeners and its
 * single timer are set up once per connection; a request costs its head string, one write and
 * the parser's work. Every deadline (connect, response head, body silence, idle) is a number
 * the one timer checks when it fires, so moving it costs no timer operation.
 */
export class UpstreamConnection implements ResponseSink {
  private readonly socket: Socket;
  /** Request heads (and buffered bodies) go straight to the socket's handle. */
  private readonly writer: DirectWriter;
  private readonly parser: ResponseParser = new ResponseParser(this);
  private current: Dispatch | undefined;
  private connected = false;
  private isClosed = false;
  /** It may carry another request after the current one. */
  private reusable = true;
  private deadlineKind: Deadline = NONE;
  private deadline = Infinity;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  /** Detaches the request body being streamed, if any. */
  private stopBody: (() => void) | undefined;

  constructor(
    private readonly owner: ConnectionOwner,
    /** How long it stays open idle; a shorter `Keep-Alive: timeout` from the upstream wins. */
    private idleMs: number,
    /** The owner's generation when it opened: an older one closes instead of idling. */
    readonly generation: number,
  ) {
    const socket = connect({
      port: owner.port,
      host: owner.host,
      noDelay: true,
      onread: { buffer: readBuffer, callback: (bytes) => (this.onSocketData(bytes), true) },
    });
    this.socket = socket;
    this.writer = new DirectWriter(socket, noop);
    socket.on('connect', () => this.onConnected());
    socket.on('end', () => this.onSocketEnd());
    socket.on('error', (error: Error) => this.onSocketError(error));
    socket.on('close', () => this.onSocketClose());
    this.setDeadline(CONNECT, owner.connectTimeoutMs);
  }

  /** Sends `dispatch` now, or once connected. */
  start(dispatch: Dispatch): void {
    this.current = dispatch;
    dispatch.connection = this;
    if (this.connected) this.send(dispatch);
  }

  /** Closes the connection, failing its request with `error` if one is in flight. */
  destroy(error: Error): void {
    const current = this.current;
    if (current !== undefined) this.fail(current, error);
    else this.close();
  }

  /** Closes the socket at once and tells the owner; idempotent. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.deadlineKind = NONE;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.socket.destroy();
    this.owner.closed(this);
  }

  /** Ends `dispatch` with `error`: the connection cannot be trusted after it, so it closes. */
  fail(dispatch: Dispatch, error: Error): void {
    if (dispatch.settled) return;
    dispatch.settled = true;
    if (this.current === dispatch) this.current = undefined;
    this.parser.stop();
    this.detachBody(dispatch);
    this.close();
    dispatch.handler.onError(error);
  }

  resume(dispatch: Dispatch): void {
    if (!dispatch.paused || this.current !== dispatch) return;
    dispatch.paused = false;
    if (!this.parser.done) this.setDeadline(BODY, dispatch.request.bodyTimeout);
    this.socket.resume();
  }

  onHead(head: ResponseHead): void {
    const dispatch = this.current as Dispatch;
    if (head.status >= 200) {
      this.noteKeepAlive(head);
      if (!this.parser.done) this.setDeadline(BODY, dispatch.request.bodyTimeout);
    }
    const handler = dispatch.handler;
    const goOn =
      handler.onResponseHead !== undefined
        ? handler.onResponseHead(head, dispatch.resume)
        : handler.onHeaders(head.status, head.headers, dispatch.resume, head.statusText);
    if (!goOn && !dispatch.settled) this.pause(dispatch);
  }

  onBody(bytes: Buffer, from: number, to: number): void {
    const dispatch = this.current as Dispatch;
    if (!dispatch.paused && !this.parser.done) {
      this.setDeadline(BODY, dispatch.request.bodyTimeout);
    }
    const handler = dispatch.handler;
    const goOn =
      handler.onBodyBytes !== undefined
        ? handler.onBodyBytes(bytes, from, to)
        : // A copy: the read buffer is reused, and the handler may keep the chunk (a write queued).
          handler.onData(copyOut(bytes, from, to));
    if (!goOn && !dispatch.settled) this.pause(dispatch);
  }

  private send(dispatch: Dispatch): void {
    this.deadlineKind = NONE;
    dispatch.handler.onConnect(dispatch.abort);
    if (dispatch.settled) return;
    const request = dispatch.request;
    const body = request.body;
    this.parser.start(request.method === 'HEAD');
    if (body === null) {
      this.writer.write(requestHead(request, -1));
      this.setDeadline(HEADERS, request.headersTimeout);
    } else if (Buffer.isBuffer(body)) {
      const declared = declaredLength(request.headers);
      if (declared !== -1 && declared !== body.length) {
        this.fail(dispatch, lengthMismatch());
        return;
      }
      const head = requestHead(request, declared === -1 ? body.length : -1);
      // One write for head and body: a latin1 head is one byte per char.
      const bytes = Buffer.allocUnsafe(head.length + body.length);
      bytes.write(head, 0, 'latin1');
      body.copy(bytes, head.length);
      this.writer.write(bytes);
      this.setDeadline(HEADERS, request.headersTimeout);
    } else {
      const length = declaredLength(request.headers);
      if (length === -1) {
        this.fail(
          dispatch,
          new UpstreamError(
            'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
            'a streamed body needs a Content-Length',
          ),
        );
        return;
      }
      this.socket.write(requestHead(request, -1), 'latin1');
      this.streamBody(dispatch, body, length);
    }
  }

  /**
   * Streams `body` after the head, pausing it while the socket's buffer is full. The response
   * head's deadline starts once the body is sent: until then the upstream may be waiting for it.
   */
  private streamBody(dispatch: Dispatch, body: Readable, length: number): void {
    const socket = this.socket;
    let written = 0;
    dispatch.bodySent = false;
    const onData = (chunk: Buffer) => {
      written += chunk.length;
      if (written > length) {
        this.fail(dispatch, lengthMismatch());
        return;
      }
      if (!socket.write(chunk)) {
        body.pause();
        socket.once('drain', onDrain);
      }
    };
    const onDrain = () => body.resume();
    const onEnd = () => {
      stop();
      if (written !== length) {
        this.fail(dispatch, lengthMismatch());
        return;
      }
      dispatch.bodySent = true;
      if (this.current === dispatch && !this.parser.received) {
        this.setDeadline(HEADERS, dispatch.request.headersTimeout);
      }
    };
    const onClose = () => this.fail(dispatch, lengthMismatch());
    const onError = (error: Error) => this.fail(dispatch, error);
    const stop = () => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('close', onClose);
      body.off('error', onError);
      socket.off('drain', onDrain);
      this.stopBody = undefined;
    };
    this.stopBody = stop;
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('close', onClose);
    body.on('error', onError);
  }

  /** Stops streaming a body that will not be sent in full; the rest of it is read and dropped. */
  private detachBody(dispatch: Dispatch): void {
    if (dispatch.bodySent) return;
    this.stopBody?.();
    this.reusable = false;
    const body = dispatch.request.body as Readable;
    if (!body.destroyed) body.resume();
  }

  private pause(dispatch: Dispatch): void {
    dispatch.paused = true;
    this.deadlineKind = NONE;
    this.socket.pause();
  }

  private noteKeepAlive(head: ResponseHead): void {
    if (!head.keepAlive) {
      this.reusable = false;
      return;
    }
    if (head.keepAliveTimeoutMs < 0) return;
    const ms = Math.min(head.keepAliveTimeoutMs - keepAliveMarginMs, this.idleMs);
    if (ms <= 0) this.reusable = false;
    else this.idleMs = ms;
  }

  private onConnected(): void {
    this.connected = true;
    this.socket.setKeepAlive(true, 60_000);
    const current = this.current;
    if (current !== undefined) this.send(current);
  }

  /** `bytes` were read into {@link readBuffer}. */
  private onSocketData(bytes: number): void {
    const dispatch = this.current;
    if (dispatch === undefined) {
      // Bytes nobody asked for: whatever they are, the connection is out of step.
      this.close();
      return;
    }
    let extra: number;
    try {
      extra = this.parser.execute(readBuffer, bytes);
    } catch (error) {
      this.fail(dispatch, error as Error);
      return;
    }
    if (dispatch.settled || !this.parser.done) return;
    if (extra > 0) this.reusable = false;
    this.complete(dispatch);
  }

  private complete(dispatch: Dispatch): void {
    dispatch.settled = true;
    this.current = undefined;
    this.detachBody(dispatch);
    if (dispatch.paused) this.socket.resume();
    if (this.reusable && !this.isClosed) {
      this.setDeadline(IDLE, this.idleMs);
      this.owner.release(this);
    } else {
      this.close();
    }
    dispatch.handler.onComplete(this.parser.trailers);
  }

  private onSocketEnd(): void {
    const dispatch = this.current;
    if (dispatch === undefined) {
      this.close();
      return;
    }
    const error = this.parser.end();
    this.reusable = false;
    if (this.parser.done) this.complete(dispatch);
    else this.fail(dispatch, error ?? otherSideClosed());
  }

  private onSocketError(error: Error): void {
    const dispatch = this.current;
    if (dispatch !== undefined) this.fail(dispatch, error);
    else this.close();
  }

  private onSocketClose(): void {
    const dispatch = this.current;
    if (dispatch !== undefined) this.fail(dispatch, otherSideClosed());
    else this.close();
  }

  private setDeadline(kind: Deadline, ms: number): void {
    if (!(ms > 0)) {
      this.deadlineKind = NONE;
      return;
    }
    this.deadlineKind = kind;
    this.deadline = performance.now() + ms;
    // A timer due later is brought forward; one due earlier re-checks when it fires.
    if (this.timerAt > this.deadline) this.arm(ms);
  }

  private arm(ms: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    // Past 2^31 - 1 ms Node would fire at once; the timer re-checks when it fires anyway.
    this.timer = setTimeout(this.onTimer, Math.min(ms, 2_147_483_647));
    this.timer.unref();
    this.timerAt = performance.now() + ms;
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    const kind = this.deadlineKind;
    if (kind === NONE || this.isClosed) return;
    const left = this.deadline - performance.now();
    if (left > 0) {
      this.arm(Math.ceil(left));
      return;
    }
    const dispatch = this.current;
    if (kind === IDLE || dispatch === undefined) {
      this.close();
    } else if (kind === CONNECT) {
      this.fail(dispatch, new UpstreamError('UND_ERR_CONNECT_TIMEOUT', 'connect timed out'));
    } else if (kind === HEADERS) {
      this.fail(dispatch, new UpstreamError('UND_ERR_HEADERS_TIMEOUT', 'headers timed out'));
    } else {
      this.fail(dispatch, new UpstreamError('UND_ERR_BODY_TIMEOUT', 'body timed out'));
    }
  };
}

function noop(): void {}

function otherSideClosed(): UpstreamError {
  return new UpstreamError('UND_ERR_SOCKET', 'other side closed');
}

function lengthMismatch(): UpstreamError {
  return new UpstreamError(
    'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
    'the request body does not match its Content-Length',
  );
}
