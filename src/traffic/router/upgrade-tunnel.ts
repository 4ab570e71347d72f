import { performance } from 'node:perf_hooks';
import { request, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Track } from '../../features/routing/traffic-router.js';
import type { Selection } from './compiled-table.js';
import { proxyErrors, sendRawProxyError, type ProxyErrorCode } from './error-response.js';
import { forwardRequestHeaders, forwardResponseHeaders } from './forwarded-headers.js';
import { checkRequest } from './request-check.js';
import type { ProxySettings, TableHolder } from './proxy.js';
import type { TrustedProxies } from './trusted-proxies.js';
import type { UpstreamTarget } from './upstream-target.js';

/**
 * Passes an `Upgrade` request (WebSocket, h2c) through: the upstream gets the request head with
 * its `Connection: Upgrade` and `Upgrade` fields; only when it answers `101 Switching Protocols`
 * do bytes flow both ways untouched until either side closes. Any other answer is forwarded as a
 * plain response with `Connection: close`, and the connection ends there. A refused connection
 * is retried once on another upstream, then answered 502.
 */
export function proxyUpgrade(
  holder: TableHolder,
  settings: ProxySettings,
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
): void {
  client.on('error', destroyQuietly);
  if (checkRequest(req) !== undefined) {
    sendRawProxyError(client, 'bad_request');
    return;
  }
  const startedAt = settings.onResponse === undefined ? 0 : performance.now();
  const selection = holder.table.pick(req);
  const tunnel = new Tunnel(holder, settings, req, client, head, selection, startedAt);
  const target = selection.balancer.next();
  if (target === undefined) answer(tunnel, 'no_upstream');
  else open(tunnel, target, false);
}

class Tunnel {
  track: Track;
  target: UpstreamTarget | undefined;

  constructor(
    readonly holder: TableHolder,
    readonly settings: ProxySettings,
    readonly req: IncomingMessage,
    readonly client: Duplex,
    readonly head: Buffer,
    selection: Selection,
    readonly startedAt: number,
  ) {
    this.track = selection.balancer.track;
  }
}

function open(tunnel: Tunnel, target: UpstreamTarget, retried: boolean): void {
  tunnel.target = target;
  const upstreamRequest = request({
    host: target.host,
    port: target.port,
    method: tunnel.req.method ?? 'GET',
    path: tunnel.req.url ?? '/',
    headers: requestHeaders(tunnel.req, target, tunnel.settings.trustedProxies),
    agent: false,
    setHost: false,
  });
  let connected = false;
  upstreamRequest.once('socket', (socket: Socket) => {
    socket.setNoDelay(true);
    socket.once('connect', () => {
      connected = true;
      target.begin();
      socket.once('close', () => target.end());
      // A drain closes it after the service's `drain.websockets`, handshake or tunnel.
      target.addTunnel(socket);
      if (tunnel.client.destroyed) upstreamRequest.destroy();
    });
  });
  // Only a 101 opens the tunnel: until then the upstream's bytes are an HTTP response.
  upstreamRequest.once('upgrade', (res: IncomingMessage, upstream: Socket, head: Buffer) => {
    report(tunnel, res.statusCode ?? 101, false);
    if (tunnel.client.destroyed) {
      upstream.destroy();
      return;
    }
    tunnel.client.write(responseHead(res, res.rawHeaders));
    if (head.length > 0) tunnel.client.write(head);
    if (tunnel.head.length > 0) upstream.write(tunnel.head);
    splice(tunnel.client, upstream);
  });
  upstreamRequest.once('response', (res: IncomingMessage) => {
    report(tunnel, res.statusCode ?? 502, false);
    relayAndClose(tunnel.client, res);
  });
  upstreamRequest.on('error', (error: NodeJS.ErrnoException) => {
    if (connected) {
      tunnel.client.destroy();
      return;
    }
    if (!retried && error.code === 'ECONNREFUSED' && !tunnel.client.destroyed) {
      const balancer = tunnel.holder.table.serving(tunnel.track);
      const next = balancer.nextExcept(target);
      if (next !== undefined) {
        tunnel.track = balancer.track;
        open(tunnel, next, true);
        return;
      }
    }
    answer(tunnel, 'upstream_unreachable');
  });
  upstreamRequest.end();
}

/**
 * Forwards an upstream's answer that is not `101 Switching Protocols` as a plain response, then
 * closes the client connection: nothing the client sends afterwards reaches the instance
 * around the router. The body is close-delimited unless it has a Content-Length.
 */
function relayAndClose(client: Duplex, res: IncomingMessage): void {
  // Whatever the client sends from now on is read and dropped, so closing sends no reset.
  client.resume();
  client.write(
    responseHead(res, [...forwardResponseHeaders(res.rawHeaders), 'Connection', 'close']),
  );
  res.on('data', (chunk: Buffer) => {
    if (!client.write(chunk)) {
      res.pause();
      client.once('drain', () => res.resume());
    }
  });
  res.once('end', () => {
    client.end();
    setTimeout(() => client.destroy(), halfCloseGraceMs).unref();
  });
  res.once('error', () => client.destroy());
  client.once('close', () => res.destroy());
}

function responseHead(res: IncomingMessage, headers: readonly string[]): string {
  let head = `HTTP/1.1 ${res.statusCode ?? 502} ${res.statusMessage ?? ''}\r\n`;
  for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
  return `${head}\r\n`;
}

/** Half-closed tunnels get this long to close the other way before both sides are cut. */
const halfCloseGraceMs = 5_000;

/**
 * Pipes `a` and `b` both ways. An end (FIN) from one side is passed on after the bytes before it;
 * if the other side does not close in turn, both are cut after a grace period, so a half-open
 * peer cannot pin sockets. A side that goes away abruptly takes the other one down at once.
 */
function splice(a: Duplex, b: Duplex): void {
  a.pipe(b);
  b.pipe(a);
  let timer: NodeJS.Timeout | undefined;
  const halfClosed = () => {
    timer ??= setTimeout(() => {
      a.destroy();
      b.destroy();
    }, halfCloseGraceMs).unref();
  };
  const closed = (side: Duplex, other: Duplex) => () => {
    if (!side.readableEnded) other.destroy();
    if (a.destroyed && b.destroyed) clearTimeout(timer);
  };
  a.once('end', halfClosed);
  b.once('end', halfClosed);
  a.once('close', closed(a, b));
  b.once('close', closed(b, a));
}

function answer(tunnel: Tunnel, code: ProxyErrorCode): void {
  sendRawProxyError(tunnel.client, code);
  report(tunnel, proxyErrors[code].status, true);
}

function report(tunnel: Tunnel, status: number, byRouter: boolean): void {
  tunnel.settings.onResponse?.(
    tunnel.holder.table.source,
    tunnel.track,
    tunnel.target?.upstream,
    status,
    tunnel.startedAt,
    byRouter,
  );
}

function requestHeaders(
  req: IncomingMessage,
  target: UpstreamTarget,
  trustedProxies: TrustedProxies,
): string[] {
  const { headers } = forwardRequestHeaders(
    req.rawHeaders,
    trustedProxies.peerOf(req.socket),
    'http',
    target.hostHeader,
  );
  // Hop-by-hop fields, except that this hop is the one being upgraded.
  headers.push('Connection', 'Upgrade', 'Upgrade', upgradeOf(req.rawHeaders));
  return headers;
}

function upgradeOf(raw: readonly string[]): string {
  const values: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    if ((raw[i] as string).toLowerCase() === 'upgrade') values.push(raw[i + 1] as string);
  }
  return values.join(', ');
}

function destroyQuietly(this: Socket | Duplex): void {
  this.destroy();
}
