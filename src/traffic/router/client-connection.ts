import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ClientResponse } from './client-response.js';
import { proxyRequest, type ProxySettings, type TableHolder } from './proxy.js';
import { parseRequestHead, type SimpleRequestHead } from './request-head-parser.js';
import { DirectWriter, readIntoBuffer } from './socket-io.js';
import { copyOut } from './byte-copy.js';

/** What a connection of the fast path needs from its listener. */
export interface ClientConnectionOwner {
  readonly holder: TableHolder;
  readonly settings: ProxySettings;
  readonly headersTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  /** Set while the listener retires: every response then closes its connection. */
  readonly retiring: boolean;
  /** Gives the socket, with `pending` unread, to node:http's server for the rest of its life. */
  handOver(connection: ClientConnection, socket: Socket, pending: Buffer | undefined): void;
  /** The connection ended (closed, or handed over). */
  forget(connection: ClientConnection): void;
}

/** Unread bytes kept while a response is in flight (pipelining); then reading pauses. */
const maxPendingBytes = 65_536;
/** node:http's answer to a client silent past the headers timeout on a fresh connection. */
const requestTimeoutResponse = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n';
/**
 * Where every fast-path connection reads into (socket-io.ts): one is enough, as each read is
 * parsed before the next; bytes that must wait are copied out of it.
 */
const readBuffer = Buffer.allocUnsafe(64 * 1024);

/**
 * The request the exchange sees: the fields of node:http's `IncomingMessage` it reads on a
 * request without body (method, url, rawHeaders, socket). A fast-path request never has a
 * body, so nothing streams from it.
 */
class ClientRequest {
  readonly httpVersion = '1.1';
  readonly complete = true;
  constructor(
    readonly method: string,
    public url: string,
    readonly rawHeaders: string[],
    readonly socket: Socket,
  ) {}

  /** No body to discard. */
  resume(): this {
    return this;
  }
}

/**
 * One client connection on the listener's fast path: requests are read with the router's own
 * strict parser (request-head-parser.ts) and answered with {@link ClientResponse}, one at a
 * time, pipelined ones in order. The first request that is not plain — an upload, an Upgrade,
 * `Connection: close`, a malformed or incomplete head — and every byte after it go to
 * node:http's server instead, only between two requests, so both never read the same stream.
 */
export class ClientConnection {
  private pending: Buffer | undefined;
  private current: ClientResponse | undefined;
  /** A response was written: node:http sends a 408 only before the first. */
  private served = false;
  private paused = false;
  private gone = false;
  /** Reads arrive in {@link readBuffer} through {@link onRead}, not as `data` events. */
  private readonly readsDirect: boolean;
  /** Handed to node:http: direct reads are pushed into the socket's stream for it. */
  private handedOver = false;
  private readonly writer: DirectWriter;
  /** When an idle connection closes (performance.now() ms); Infinity while a request runs. */
  private deadline = Infinity;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  constructor(
    private readonly socket: Socket,
    private readonly owner: ClientConnectionOwner,
    direct = true,
  ) {
    this.writer = new DirectWriter(socket, this.onDrain, direct);
    this.readsDirect = direct && readIntoBuffer(socket, readBuffer, this.onRead);
    if (!this.readsDirect) socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    socket.on('drain', this.onDrain);
    this.setDeadline(owner.headersTimeoutMs);
  }

  /** No request in flight and no byte waiting: closing it now loses nothing. */
  get idle(): boolean {
    return this.current === undefined && this.pending === undefined;
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** `bytes` were read into {@link readBuffer}; false pauses reading. */
  private readonly onRead = (bytes: number): boolean => {
    if (this.handedOver) {
      // node:http reads from the stream now: a copy, as the read buffer is reused.
      return this.socket.push(copyOut(readBuffer, 0, bytes));
    }
    if (this.pending === undefined && this.current === undefined && !this.gone) {
      // The common case: one whole request in this read, parsed where it lies.
      const head = parseRequestHead(readBuffer, bytes);
      if (head.kind === 'simple' && head.length === bytes) {
        this.serve(head);
        return !this.paused;
      }
    }
    this.onData(copyOut(readBuffer, 0, bytes));
    return !this.paused;
  };

  private readonly onData = (chunk: Buffer): void => {
    const pending = this.pending;
    this.pending = pending === undefined ? chunk : Buffer.concat([pending, chunk]);
    if (this.current !== undefined) {
      if ((this.pending as Buffer).length > maxPendingBytes) {
        this.paused = true;
        if (!this.readsDirect) this.socket.pause();
      }
      return;
    }
    this.next();
  };

  /** Reads the next request from `pending`, serves it or hands the connection over. */
  private next(): void {
    const pending = this.pending;
    if (pending === undefined || this.gone) return;
    const head = parseRequestHead(pending);
    if (head.kind !== 'simple') {
      this.handOver();
      return;
    }
    this.pending = head.length === pending.length ? undefined : pending.subarray(head.length);
    this.resumeBelowLimit();
    this.serve(head);
  }

  /** Reads again once what waits fits under the limit: a flood stays in the client's buffers. */
  private resumeBelowLimit(): void {
    if (!this.paused || (this.pending?.length ?? 0) > maxPendingBytes) return;
    this.paused = false;
    this.socket.resume();
  }

  private serve(head: SimpleRequestHead): void {
    // No timer operation: a timer that fires while a request is in flight does nothing.
    this.deadline = Infinity;
    const response = new ClientResponse(
      this.writer,
      head.method,
      !this.owner.retiring,
      this.owner.keepAliveTimeoutMs,
      this.onFinish,
    );
    this.current = response;
    const request = new ClientRequest(head.method, head.url, head.rawHeaders, this.socket);
    // The exchange reads only what ClientRequest and ClientResponse carry: see their JSDoc.
    proxyRequest(
      this.owner.holder,
      this.owner.settings,
      request as unknown as IncomingMessage,
      response as unknown as ServerResponse,
    );
  }

  private readonly onFinish = (response: ClientResponse): void => {
    if (this.current !== response) return;
    this.current = undefined;
    this.served = true;
    const socket = this.socket;
    if (!response.shouldKeepAlive) {
      this.gone = true;
      socket.end();
      return;
    }
    if (this.pending !== undefined) {
      // Pipelined: the next request starts once this exchange has unwound.
      setImmediate(() => this.next());
      return;
    }
    this.resumeBelowLimit();
    this.setDeadline(this.owner.keepAliveTimeoutMs);
  };

  private handOver(): void {
    const socket = this.socket;
    this.gone = true;
    socket.setTimeout(0);
    this.handedOver = true;
    // node:http reads from here on, whatever waits.
    if (this.paused) {
      this.paused = false;
      socket.resume();
    }
    socket.off('data', this.onData);
    socket.off('end', this.onEnd);
    socket.off('error', this.onError);
    socket.off('close', this.onClose);
    socket.off('drain', this.onDrain);
    const pending = this.pending;
    this.pending = undefined;
    this.owner.forget(this);
    this.owner.handOver(this, socket, pending);
  }

  private readonly onEnd = (): void => {
    // As node:http (without `httpAllowHalfOpen`): the client is done, so is the connection.
    this.gone = true;
    const current = this.current;
    this.current = undefined;
    if (this.socket.writable) this.socket.end();
    current?.closed();
  };

  private readonly onError = (): void => {
    this.socket.destroy();
  };

  private readonly onClose = (): void => {
    this.gone = true;
    this.clearTimer();
    this.owner.forget(this);
    const current = this.current;
    this.current = undefined;
    if (current !== undefined && !current.writableFinished) current.closed();
  };

  private readonly onDrain = (): void => {
    this.current?.drained();
  };

  /**
   * Closes the connection `ms` from now unless a request arrives: one number to set per request,
   * and the one timer is only re-armed when it fires early (as upstream-connection.ts does).
   */
  private setDeadline(ms: number): void {
    if (!(ms > 0)) {
      this.deadline = Infinity;
      return;
    }
    this.deadline = performance.now() + ms;
    if (this.timerAt > this.deadline) this.arm(ms);
  }

  private arm(ms: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(this.onTimer, ms);
    this.timer.unref();
    this.timerAt = performance.now() + ms;
  }

  private clearTimer(): void {
    this.deadline = Infinity;
    this.timerAt = Infinity;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    if (this.gone || this.current !== undefined || this.deadline === Infinity) return;
    const left = this.deadline - performance.now();
    if (left > 0) {
      this.arm(Math.ceil(left));
      return;
    }
    this.onTimeout();
  };

  private onTimeout(): void {
    const socket = this.socket;
    // A fresh connection that sent no complete request in time gets node:http's 408; an idle
    // keep-alive connection is just closed.
    if (!this.served && socket.bytesWritten === 0 && socket.writable) {
      this.writer.write(requestTimeoutResponse);
    }
    socket.destroy();
  }
}
