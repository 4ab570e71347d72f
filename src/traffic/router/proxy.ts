import { request, type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Track, Upstream } from '../../features/routing/traffic-router.js';
import type { CompiledTable } from './compiled-table.js';
import { proxyErrors, sendProxyError, type ProxyErrorCode } from './error-response.js';
import { forwardRequestHeaders, forwardResponseHeaders } from './forwarded-headers.js';
import type { UpstreamTarget } from './upstream-target.js';

/**
 * Called once per request with the status the client got (`upstream` is `undefined` for
 * `no_upstream`); `startedAt` is `performance.now()` when the request arrived. The single place
 * where per-track counters and latency histograms hook in. Unset, it costs one comparison.
 */
export type ResponseHook = (
  track: Track,
  upstream: Upstream | undefined,
  status: number,
  startedAt: number,
) => void;

export interface ProxySettings {
  /** Inactivity on the upstream connection that ends a request with 504 (or a cut response). */
  readonly responseTimeoutMs: number;
  readonly onResponse: ResponseHook | undefined;
}

/** Where requests read the routing table: one reference, swapped atomically by `apply`. */
export interface TableHolder {
  readonly table: CompiledTable;
}

/** Failing to connect means no byte was sent: any request may go to another upstream. */
const connectErrors = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
/** A keep-alive socket the upstream closed while the request was on its way. */
const staleSocketErrors = new Set(['ECONNRESET', 'EPIPE']);
/** Safe to send twice (RFC 9110 §9.2.2) and, without a body, cheap to replay. */
const replayableMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

class UpstreamTimeoutError extends Error {
  constructor() {
    super('upstream response timed out');
  }
}

/** The state of one client request across its (at most two) upstream attempts. */
class Exchange {
  upstreamRequest: ClientRequest | undefined;
  upstreamResponse: IncomingMessage | undefined;
  retried = false;
  clientGone = false;

  constructor(
    readonly holder: TableHolder,
    readonly settings: ProxySettings,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    public track: Track,
    public target: UpstreamTarget,
    readonly headers: string[],
    readonly hasBody: boolean,
    readonly startedAt: number,
  ) {}
}

// Listeners are shared functions that find their state on the emitter: no closures per request.
const kExchange = Symbol('ferry.exchange');
const kTarget = Symbol('ferry.target');
type UpstreamRequest = ClientRequest & { [kExchange]: Exchange; [kTarget]: UpstreamTarget };
type ClientResponse = ServerResponse & { [kExchange]: Exchange };

/** Forwards one client request to an upstream of the track the table picks for it. */
export function proxyRequest(
  holder: TableHolder,
  settings: ProxySettings,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const startedAt = settings.onResponse === undefined ? 0 : performance.now();
  const balancer = holder.table.pick(req);
  const target = balancer.next();
  if (target === undefined) {
    sendProxyError(res, 'no_upstream');
    settings.onResponse?.(balancer.track, undefined, 503, startedAt);
    return;
  }
  const forwarded = forwardRequestHeaders(
    req.rawHeaders,
    req.socket.remoteAddress,
    'http',
    target.hostHeader,
  );
  const exchange = new Exchange(
    holder,
    settings,
    req,
    res,
    balancer.track,
    target,
    forwarded.headers,
    forwarded.hasBody,
    startedAt,
  );
  (res as ClientResponse)[kExchange] = exchange;
  res.on('close', onClientClose);
  send(exchange);
}

function send(exchange: Exchange): void {
  const target = exchange.target;
  let upstreamRequest: UpstreamRequest;
  try {
    upstreamRequest = request({
      host: target.host,
      port: target.port,
      method: exchange.req.method,
      path: exchange.req.url,
      headers: exchange.headers,
      agent: target.agent,
      timeout: exchange.settings.responseTimeoutMs,
    }) as UpstreamRequest;
  } catch {
    // Node's client is stricter than its server about a few characters in paths and headers.
    fail(exchange, 'upstream_unreachable');
    return;
  }
  target.begin();
  upstreamRequest[kExchange] = exchange;
  upstreamRequest[kTarget] = target;
  exchange.upstreamRequest = upstreamRequest;
  upstreamRequest.on('response', onUpstreamResponse);
  upstreamRequest.on('error', onUpstreamError);
  upstreamRequest.on('timeout', onUpstreamTimeout);
  upstreamRequest.on('close', onUpstreamClose);
  if (exchange.hasBody) {
    // The body is streamed only once connected: a refused connection leaves it unread, so the
    // request can still go to another upstream.
    upstreamRequest.on('socket', onUpstreamSocket);
  } else {
    upstreamRequest.end();
  }
}

function onUpstreamSocket(this: UpstreamRequest, socket: Socket): void {
  if (socket.connecting) socket.once('connect', () => streamBody(this));
  else streamBody(this);
}

function streamBody(upstreamRequest: UpstreamRequest): void {
  const exchange = upstreamRequest[kExchange];
  if (exchange.upstreamRequest === upstreamRequest && !upstreamRequest.destroyed) {
    exchange.req.pipe(upstreamRequest);
  }
}

function onUpstreamResponse(this: UpstreamRequest, upstreamResponse: IncomingMessage): void {
  const exchange = this[kExchange];
  const status = upstreamResponse.statusCode ?? 502;
  try {
    exchange.res.writeHead(
      status,
      upstreamResponse.statusMessage,
      forwardResponseHeaders(upstreamResponse.rawHeaders),
    );
  } catch {
    // A status or header Node refuses to send on: answer 502 rather than crash the router.
    exchange.upstreamRequest = undefined; // its error and close events no longer concern us
    this.destroy();
    fail(exchange, 'upstream_unreachable');
    return;
  }
  exchange.upstreamResponse = upstreamResponse;
  upstreamResponse.pipe(exchange.res);
  exchange.settings.onResponse?.(
    exchange.track,
    exchange.target.upstream,
    status,
    exchange.startedAt,
  );
}

function onUpstreamError(this: UpstreamRequest, error: Error): void {
  const exchange = this[kExchange];
  if (exchange.upstreamRequest !== this || exchange.clientGone) return;
  if (exchange.upstreamResponse !== undefined) {
    // The status line is out: the only honest signal left is a cut connection.
    exchange.res.destroy();
    return;
  }
  if (!exchange.retried && retry(exchange, this, error)) return;
  fail(
    exchange,
    error instanceof UpstreamTimeoutError ? 'upstream_timeout' : 'upstream_unreachable',
  );
}

function fail(exchange: Exchange, code: ProxyErrorCode): void {
  sendProxyError(exchange.res, code);
  exchange.settings.onResponse?.(
    exchange.track,
    exchange.target.upstream,
    proxyErrors[code].status,
    exchange.startedAt,
  );
}

/** Sends the request once more when the failed attempt cannot have reached the application. */
function retry(exchange: Exchange, failed: UpstreamRequest, error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const failedTarget = failed[kTarget];
  const balancer = exchange.holder.table.pick(exchange.req);
  let next: UpstreamTarget | undefined;
  if (!failed.reusedSocket && connectErrors.has(code)) {
    next = balancer.nextExcept(failedTarget);
  } else if (
    failed.reusedSocket &&
    staleSocketErrors.has(code) &&
    !exchange.hasBody &&
    replayableMethods.has(exchange.req.method ?? '')
  ) {
    // A fresh connection to the same upstream is fine when it is the only one left.
    next =
      balancer.nextExcept(failedTarget) ??
      (balancer.targets.includes(failedTarget) ? failedTarget : undefined);
  }
  if (next === undefined) return false;
  exchange.retried = true;
  exchange.track = balancer.track;
  exchange.target = next;
  send(exchange);
  return true;
}

function onUpstreamTimeout(this: UpstreamRequest): void {
  this.destroy(new UpstreamTimeoutError());
}

function onUpstreamClose(this: UpstreamRequest): void {
  this[kTarget].end();
  const exchange = this[kExchange];
  const upstreamResponse = exchange.upstreamResponse;
  if (exchange.upstreamRequest === this && upstreamResponse && !upstreamResponse.complete) {
    exchange.res.destroy();
  }
}

function onClientClose(this: ClientResponse): void {
  if (this.writableFinished) return;
  const exchange = this[kExchange];
  exchange.clientGone = true;
  exchange.upstreamRequest?.destroy();
}
