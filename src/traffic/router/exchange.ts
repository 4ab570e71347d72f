import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RoutingTable, Track } from '../../features/routing/traffic-router.js';
import { proxyErrors, sendProxyError, type ProxyErrorCode } from './error-response.js';
import { ClientResponse as FastPathResponse } from './client-response.js';
import { forwardResponseHeaders, type ResponseFraming } from './forwarded-headers.js';
import type { MirrorCopy } from './mirror.js';
import type { PinCookie } from './pin-cookie.js';
import type { ResponseHead } from './response-head.js';
import type { ProxySettings, TableHolder } from './proxy-settings.js';
import { sendUpload, type Upload } from './upload-request.js';
import type { UpstreamHandler } from './upstream-request.js';
import type { UpstreamTarget } from './upstream-target.js';
import { copyOut } from './byte-copy.js';

/** Failing to connect means no byte was sent: any request may go to another upstream. */
const connectErrors = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);
/** The connection broke before any response byte: typically a keep-alive socket closing. */
const resetErrors = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);
/** The upstream client's (undici's names), and node:http's (upload-request.ts) for silence. */
const timeoutErrors = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
/** Where a refused request goes when its track has no other upstream, in order. */
const otherTracks: Readonly<Record<Track, readonly Track[]>> = {
  stable: ['canary', 'baseline'],
  canary: ['stable', 'baseline'],
  baseline: ['stable', 'canary'],
  mirror: ['stable', 'canary', 'baseline'],
};
/** Safe to send twice (RFC 9110 §9.2.2) and, without a body, cheap to replay. */
const replayableMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `writeHead` with client-response.ts's `fieldsChecked` (node:http's ignores it). */
interface CheckedHead {
  writeHead(status: number, reason: string, fields: string[], fieldsChecked: boolean): unknown;
}

class ClientGoneError extends Error {
  constructor() {
    super('the client closed the connection');
  }
}

/**
 * One client request across its (at most two) upstream attempts. It is its own upstream client
 * handler, in undici's internal callback form (`onConnect`, `onHeaders`, `onData`,
 * `onComplete`, `onError`; upstream-request.ts): raw headers and no wrapper object per request.
 * An upload that needs node:http (`upload`) drives the same callbacks from there.
 */
export class Exchange implements UpstreamHandler, ResponseFraming {
  retried = false;
  clientGone = false;
  /** The response head went out to the client. */
  responded = false;
  /** The client's response is complete: a 204, a 304 or the answer to a HEAD has no body. */
  finished = false;
  /** Response body bytes still to come, from the upstream's Content-Length; -1 when unknown. */
  bodyLeft = -1;
  private abortUpstream: ((error?: Error) => void) | undefined;
  private resumeUpstream: (() => void) | undefined;
  /** A mirrored copy waiting for the request body, teed once the body streams upstream. */
  mirrorCopy: MirrorCopy | undefined;
  /** Set when the request goes upstream over node:http rather than the pool. */
  upload: Upload | undefined;

  constructor(
    readonly holder: TableHolder,
    readonly settings: ProxySettings,
    readonly route: RoutingTable,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    public track: Track,
    public target: UpstreamTarget,
    readonly pinCookie: PinCookie | undefined,
    readonly headers: string[],
    readonly hasBody: boolean,
    /** The client's request was HTTPS (a trusted proxy's X-Forwarded-Proto): the pin is Secure. */
    readonly secure: boolean,
    readonly startedAt: number,
  ) {}

  onConnect(abort: (error?: Error) => void): void {
    this.abortUpstream = abort;
    if (this.clientGone) {
      abort(new ClientGoneError());
      return;
    }
    // The body starts streaming now, never before: a refused connection leaves it unread.
    if (this.mirrorCopy !== undefined) {
      this.mirrorCopy.tee(this.req);
      this.mirrorCopy = undefined;
    }
  }

  /** `raw` is latin1 strings, from the upstream client as from node:http. */
  onHeaders(
    status: number,
    raw: readonly (Buffer | string)[],
    resume: () => void,
    statusText: string,
  ): boolean {
    if (status < 200) {
      // 1xx information: 103 Early Hints go on to the client; a `100 Continue` only comes on
      // an upload, which forwards it itself.
      if (status === 103 && !this.clientGone) this.earlyHints(raw);
      return true;
    }
    const headers = forwardResponseHeaders(raw, this);
    if (this.pinCookie !== undefined) {
      headers.push(
        'set-cookie',
        this.pinCookie.header(this.target.upstream.version, this.track, this.secure),
      );
    }
    try {
      // Fields from the router's response parser or node:http's, checked as strictly as
      // writeHead would; the fast path's response skips checking them again (client-response.ts).
      (this.res as unknown as CheckedHead).writeHead(status, statusText, headers, true);
    } catch {
      // A status or header Node refuses to send on: answer 502 rather than crash the router.
      this.fail('upstream_unreachable');
      this.abort();
      return false;
    }
    this.headSent(status, resume);
    return true;
  }

  /**
   * The response head from the router's own upstream client, which calls this rather than
   * {@link onHeaders}: a fast-path response (client-response.ts) is written from the head's
   * text without a string per field; any other goes through `onHeaders`.
   */
  onResponseHead(head: ResponseHead, resume: () => void): boolean {
    const res = this.res as unknown;
    if (!(res instanceof FastPathResponse) || head.status < 200 || head.connectionOptions) {
      return this.onHeaders(head.status, head.headers, resume, head.statusText);
    }
    // The parser allows one Content-Length at most, and no Transfer-Encoding but chunked.
    this.bodyLeft = head.chunked || head.contentLength < 0 ? -1 : head.contentLength;
    const pin = this.pinCookie;
    if (pin === undefined) {
      res.writeForwardedHead(head);
    } else {
      const cookie = pin.header(this.target.upstream.version, this.track, this.secure);
      res.writeForwardedHead(head, 'set-cookie', cookie);
    }
    this.headSent(head.status, resume);
    return true;
  }

  /** The head went out: a response without body ends here; the metrics hook hears of it. */
  private headSent(status: number, resume: () => void): void {
    this.responded = true;
    this.resumeUpstream = resume;
    if (status === 204 || status === 304 || this.req.method === 'HEAD') {
      // No body follows, whatever Content-Length says (RFC 9110 §6.4.1): the response is done.
      this.finished = true;
      this.res.end();
    }
    this.settings.onResponse?.(
      this.route,
      this.track,
      this.target.upstream,
      status,
      this.startedAt,
      false,
    );
  }

  onData(chunk: Buffer): boolean {
    if (this.finished) return true;
    const res = this.res;
    if (chunk.length === this.bodyLeft) {
      // The last bytes Content-Length announced (for a small response, the whole body): the
      // response ends with them, in the same write as the head when that is still unsent.
      this.finished = true;
      res.end(chunk);
      return true;
    }
    if (this.bodyLeft > 0) this.bodyLeft -= chunk.length;
    if (res.write(chunk) || res.destroyed) return true;
    res.once('drain', onClientDrain);
    return false;
  }

  /**
   * Body bytes from the router's own upstream client, valid only during the call: the last
   * ones of a fast-path response are copied straight behind its head; others take a copy.
   */
  onBodyBytes(bytes: Buffer, from: number, to: number): boolean {
    if (this.finished) return true;
    const res = this.res as unknown;
    if (
      to - from === this.bodyLeft &&
      res instanceof FastPathResponse &&
      res.endWithBytes(bytes, from, to)
    ) {
      this.finished = true;
      return true;
    }
    return this.onData(copyOut(bytes, from, to));
  }

  /** `trailers`: a flat list from the upstream client, or node:http's `rawTrailers`. */
  onComplete(trailers: (Buffer | string)[] | null): void {
    this.target.end();
    if (this.finished) return;
    // Trailers go out when the body is chunked to the client, as it is when it was upstream.
    if (trailers != null && trailers.length > 0) {
      this.res.addTrailers(pairs(latin1(trailers)));
    }
    this.res.end();
  }

  onError(error: Error): void {
    this.target.end();
    if (this.clientGone || this.finished) return;
    if (this.responded) {
      // The status line is out: the only honest signal left is a cut connection.
      this.res.destroy();
      return;
    }
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (!this.retried && this.retry(code)) return;
    this.fail(timeoutErrors.has(code) ? 'upstream_timeout' : 'upstream_unreachable');
  }

  private earlyHints(raw: readonly (Buffer | string)[]): void {
    const hints = pairs(forwardResponseHeaders(raw));
    try {
      this.res.writeEarlyHints(hints);
    } catch {
      // Hints Node refuses (no Link field) are only hints: the response still follows.
    }
  }

  resume(): void {
    this.resumeUpstream?.();
  }

  abort(): void {
    this.clientGone = true;
    this.abortUpstream?.(new ClientGoneError());
  }

  fail(code: ProxyErrorCode): void {
    // A copy whose body never started streaming would wait for it until its timeout.
    this.mirrorCopy?.cancel();
    this.mirrorCopy = undefined;
    sendProxyError(this.res, code);
    this.settings.onResponse?.(
      this.route,
      this.track,
      this.target.upstream,
      proxyErrors[code].status,
      this.startedAt,
      true,
    );
  }

  /** Sends the request once more when the failed attempt cannot have reached the application. */
  private retry(code: string): boolean {
    const failed = this.target;
    // The same track in the table as it is now: it may have changed since the request arrived.
    const table = this.holder.table;
    let balancer = table.serving(this.track);
    let next: UpstreamTarget | undefined;
    if (connectErrors.has(code)) {
      next = balancer.nextExcept(failed);
      // Never a 502 while another track has a live upstream.
      const others = otherTracks[balancer.track];
      for (let i = 0; next === undefined && i < others.length; i++) {
        balancer = table.serving(others[i] as Track);
        next = balancer.nextExcept(failed);
      }
    } else if (
      resetErrors.has(code) &&
      !this.hasBody &&
      replayableMethods.has(this.req.method ?? '')
    ) {
      // A fresh connection to the same upstream is fine when it is the only one left.
      next =
        balancer.nextExcept(failed) ?? (balancer.targets.includes(failed) ? failed : undefined);
    }
    if (next === undefined) return false;
    // A copy for the canary makes no sense once the request itself goes elsewhere than stable.
    if (balancer.track !== 'stable' && this.mirrorCopy !== undefined) {
      this.mirrorCopy.cancel();
      this.mirrorCopy = undefined;
    }
    this.retried = true;
    this.track = balancer.track;
    this.target = next;
    send(this);
    return true;
  }
}

// Listeners are shared functions that find their state on the emitter: no closures per request.
const kExchange = Symbol('ferry.exchange');
type ClientResponse = ServerResponse & { [kExchange]: Exchange };

/**
 * Sends the exchange's request upstream, and aborts it when the client goes away before its
 * response is complete.
 */
export function startExchange(exchange: Exchange): void {
  (exchange.res as ClientResponse)[kExchange] = exchange;
  exchange.res.on('close', onClientClose);
  send(exchange);
}

function send(exchange: Exchange): void {
  if (exchange.upload !== undefined) {
    sendUpload(exchange, exchange.upload);
    return;
  }
  const target = exchange.target;
  const timeout = exchange.settings.responseTimeoutMs;
  target.begin();
  // The client reports every failure through `onError`, never by throwing.
  target.client.dispatch(
    {
      path: exchange.req.url ?? '/',
      method: exchange.req.method ?? 'GET',
      headers: exchange.headers,
      body: exchange.hasBody ? exchange.req : null,
      headersTimeout: timeout,
      bodyTimeout: timeout,
    },
    exchange,
  );
}

/** Header bytes as Node's own parser gives them: one char per byte, so no byte is altered. */
function latin1(raw: readonly (Buffer | string)[]): string[] {
  const fields = new Array<string>(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const field = raw[i] as Buffer | string;
    fields[i] = typeof field === 'string' ? field : field.toString('latin1');
  }
  return fields;
}

/** A flat `[name, value, ...]` list as an object, repeated fields as arrays. */
function pairs(flat: readonly string[]): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (let i = 0; i < flat.length; i += 2) {
    const name = (flat[i] as string).toLowerCase();
    const value = flat[i + 1] as string;
    const prior = fields[name];
    fields[name] =
      prior === undefined ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
  }
  return fields;
}

function onClientDrain(this: ClientResponse): void {
  this[kExchange].resume();
}

function onClientClose(this: ClientResponse): void {
  if (this.writableFinished) return;
  this[kExchange].abort();
}
