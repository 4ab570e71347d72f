import { Dispatch, UpstreamConnection, type ConnectionOwner } from './upstream-connection.js';
import { UpstreamError } from './upstream-errors.js';
import type { UpstreamHandler, UpstreamRequest } from './upstream-request.js';

export type { UpstreamHandler, UpstreamRequest } from './upstream-request.js';

export interface UpstreamClientOptions {
  /**
   * How long an idle connection stays open; a shorter `Keep-Alive: timeout` from the upstream
   * (less 2 s, as undici does) wins.
   */
  readonly idleTimeoutMs: number;
  /** Connections at most; further requests wait for one. Default: no limit, as undici's Pool. */
  readonly maxConnections?: number;
  /** Default 10 s, as undici. */
  readonly connectTimeoutMs?: number;
}

/**
 * A pool of keep-alive HTTP/1.1 connections to one upstream, one request at a time on each,
 * driving undici's dispatch handler callbacks (upstream-request.ts). It does only what the
 * router needs, with none of undici's per-request machinery: the most recently used idle
 * connection takes the next request, whose head (and a Buffer body) goes out in one write.
 *
 * @example
 * const client = new UpstreamClient('127.0.0.1', 3000, { idleTimeoutMs: 4_000 });
 * client.dispatch({ method: 'GET', path: '/', headers: ['host', 'app'], body: null,
 *   headersTimeout: 60_000, bodyTimeout: 60_000 }, handler);
 */
export class UpstreamClient implements ConnectionOwner {
  readonly connectTimeoutMs: number;
  private readonly maxConnections: number;
  /** Idle connections, the most recently used last. */
  private readonly idle: UpstreamConnection[] = [];
  private readonly connections = new Set<UpstreamConnection>();
  /** Requests waiting for a connection when all `maxConnections` are busy. */
  private readonly queue: Dispatch[] = [];
  /** Bumped by `closeIdle`: connections of an older generation close when their request ends. */
  private generation = 0;
  private destroyed = false;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly options: UpstreamClientOptions,
  ) {
    this.maxConnections = options.maxConnections ?? Infinity;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  }

  /** Open connections, busy or idle. */
  get size(): number {
    return this.connections.size;
  }

  /** Sends `request`; its outcome reaches `handler`, never a throw. */
  dispatch(request: UpstreamRequest, handler: UpstreamHandler): void {
    if (this.destroyed) {
      process.nextTick(() => handler.onError(destroyedError()));
      return;
    }
    const dispatch = new Dispatch(request, handler);
    const idle = this.idle.pop();
    if (idle !== undefined) idle.start(dispatch);
    else if (this.connections.size < this.maxConnections) this.open().start(dispatch);
    else this.queue.push(dispatch);
  }

  /**
   * Closes the idle connections now and the busy ones once their response is complete; new
   * requests get new connections.
   */
  closeIdle(): void {
    this.generation++;
    for (const connection of this.idle.splice(0)) connection.close();
  }

  /** Closes every connection, failing the requests in flight or waiting; later ones fail too. */
  destroy(): void {
    this.destroyed = true;
    const error = destroyedError();
    for (const dispatch of this.queue.splice(0)) dispatch.handler.onError(error);
    for (const connection of [...this.connections]) connection.destroy(error);
  }

  release(connection: UpstreamConnection): void {
    if (connection.generation !== this.generation || this.destroyed) {
      connection.close();
      return;
    }
    const next = this.queue.shift();
    if (next !== undefined) connection.start(next);
    else this.idle.push(connection);
  }

  closed(connection: UpstreamConnection): void {
    this.connections.delete(connection);
    const at = this.idle.lastIndexOf(connection);
    if (at !== -1) this.idle.splice(at, 1);
    if (this.queue.length > 0 && !this.destroyed && this.connections.size < this.maxConnections) {
      this.open().start(this.queue.shift() as Dispatch);
    }
  }

  private open(): UpstreamConnection {
    const connection = new UpstreamConnection(this, this.options.idleTimeoutMs, this.generation);
    this.connections.add(connection);
    return connection;
  }
}

function destroyedError(): UpstreamError {
  return new UpstreamError('UND_ERR_DESTROYED', 'the upstream client was destroyed');
}
