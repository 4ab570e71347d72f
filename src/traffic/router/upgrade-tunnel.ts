import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Track } from '../../features/routing/traffic-router.js';
import type { Selection } from './compiled-table.js';
import { proxyErrors, sendRawProxyError, type ProxyErrorCode } from './error-response.js';
import { forwardRequestHeaders } from './forwarded-headers.js';
import type { ProxySettings, TableHolder } from './proxy.js';
import type { UpstreamTarget } from './upstream-target.js';

/**
 * Passes an `Upgrade` request (WebSocket, h2c) through: the upstream gets the request head with
 * its `Connection: Upgrade` and `Upgrade` fields, then bytes flow both ways untouched until
 * either side closes. A refused connection is retried once on another upstream, then answered
 * 502. The upstream's status (101 when it switched) is read from its first bytes for the hook.
 */
export function proxyUpgrade(
  holder: TableHolder,
  settings: ProxySettings,
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
): void {
  const startedAt = settings.onResponse === undefined ? 0 : performance.now();
  const selection = holder.table.pick(req);
  const tunnel = new Tunnel(holder, settings, req, client, head, selection, startedAt);
  client.on('error', destroyQuietly);
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
  const upstream = connect({ host: target.host, port: target.port, noDelay: true });
  let connected = false;
  upstream.once('connect', () => {
    connected = true;
    target.begin();
    upstream.once('close', () => target.end());
    if (tunnel.client.destroyed) {
      upstream.destroy();
      return;
    }
    upstream.write(requestHead(tunnel.req, target));
    if (tunnel.head.length > 0) upstream.write(tunnel.head);
    upstream.once('data', (chunk: Buffer) => report(tunnel, statusOf(chunk), false));
    splice(tunnel.client, upstream);
  });
  upstream.on('error', (error: NodeJS.ErrnoException) => {
    if (connected) return; // `close` follows and takes the client connection down with it
    upstream.destroy();
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

/** `HTTP/1.1 101 Switching Protocols` → 101; 502 when the bytes are not a status line. */
function statusOf(chunk: Buffer): number {
  const status = Number(chunk.toString('latin1', 9, 12));
  return chunk.toString('latin1', 0, 5) === 'HTTP/' && status >= 100 ? status : 502;
}

function requestHead(req: IncomingMessage, target: UpstreamTarget): string {
  const { headers } = forwardRequestHeaders(
    req.rawHeaders,
    req.socket.remoteAddress,
    'http',
    target.hostHeader,
  );
  let head = `${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1\r\n`;
  for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
  // Hop-by-hop fields, except that this hop is the one being upgraded.
  return `${head}Connection: Upgrade\r\nUpgrade: ${upgradeOf(req.rawHeaders)}\r\n\r\n`;
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
