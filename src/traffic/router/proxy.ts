import { performance } from 'node:perf_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendProxyError, sendRefusal } from './error-response.js';
import { Exchange, startExchange } from './exchange.js';
import type { CompiledTable } from './compiled-table.js';
import { forwardRequestHeaders, type ForwardedRequest } from './forwarded-headers.js';
import type { MirrorCopy } from './mirror.js';
import type { ProxySettings, TableHolder } from './proxy-settings.js';
import { checkRequest } from './request-check.js';
import { uploadOf } from './upload-request.js';

/** The hooks and settings live in their own files; re-exported for the router's imports. */
export type { MatchHook, ResponseHook } from './proxy-hooks.js';
export type { ProxySettings, TableHolder } from './proxy-settings.js';

/**
 * Forwards one client request to an upstream of the track the table picks for it.
 * `expectsContinue`: the client sent `Expect: 100-continue` and Node did not answer it, so the
 * upstream decides whether the body comes.
 */
export function proxyRequest(
  holder: TableHolder,
  settings: ProxySettings,
  req: IncomingMessage,
  res: ServerResponse,
  expectsContinue = false,
): void {
  const keepAlive = res.shouldKeepAlive;
  // Until a `100 Continue` goes out, the client may send its body or not: a final answer before
  // one ends the connection rather than guess what comes next (RFC 9110 §10.1.1).
  if (expectsContinue) res.shouldKeepAlive = false;
  if (refused(req, res)) return;
  const startedAt = settings.onResponse === undefined ? 0 : performance.now();
  const table = holder.table;
  const selection = table.pick(req);
  const balancer = selection.balancer;
  const target = balancer.next();
  if (target === undefined) {
    sendProxyError(res, 'no_upstream');
    settings.onResponse?.(table.source, balancer.track, undefined, 503, startedAt, true);
    return;
  }
  if (selection.matchedBy !== undefined) {
    settings.onMatch?.(table.source, balancer.track, target.upstream, selection.matchedBy);
  }
  const forwarded = forwardRequestHeaders(
    req.rawHeaders,
    settings.trustedProxies.peerOf(req.socket),
    'http',
    target.hostHeader,
  );
  // Without a body there is nothing to wait for: the expectation goes no further.
  if (expectsContinue && !forwarded.hasBody) res.shouldKeepAlive = keepAlive;
  const exchange = new Exchange(
    holder,
    settings,
    table.source,
    req,
    res,
    balancer.track,
    target,
    selection.pinCookie,
    forwarded.headers,
    forwarded.hasBody,
    forwarded.secure,
    startedAt,
  );
  exchange.upload = uploadOf(forwarded, expectsContinue, keepAlive);
  if (balancer.track === 'stable')
    exchange.mirrorCopy = mirrorCopyOf(table, settings, req, forwarded);
  startExchange(exchange);
}

/** Answers a malformed request itself: the client's mistake, seen by no upstream. */
function refused(req: IncomingMessage, res: ServerResponse): boolean {
  const refusal = checkRequest(req);
  if (refusal === undefined) return false;
  // It counts against no version.
  req.resume();
  sendRefusal(res, refusal.code, refusal.message);
  return true;
}

/** A copy of a stable request for the mirror track, when the table mirrors any. */
function mirrorCopyOf(
  table: CompiledTable,
  settings: ProxySettings,
  req: IncomingMessage,
  forwarded: ForwardedRequest,
): MirrorCopy | undefined {
  const mirrorTarget = table.mirrorTarget();
  if (mirrorTarget === undefined) return undefined;
  return settings.mirror.copy(table.source, mirrorTarget, req, forwarded);
}
