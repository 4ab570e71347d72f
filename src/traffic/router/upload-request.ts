import {
  request,
  type ClientRequest,
  type IncomingMessage,
  type InformationEvent,
} from 'node:http';
import type { Socket } from 'node:net';
import { finished } from 'node:stream';
import { forwardTrailers, type ForwardedRequest } from './forwarded-headers.js';
import type { Exchange } from './exchange.js';

/**
 * A request body that goes upstream over node:http instead of the upstream client's pool, for
 * the two things that client does not do: send `Expect: 100-continue` and wait for the
 * upstream's answer, and send a chunked body and the trailer fields that may follow it.
 */
export interface Upload {
  /** The forwarded headers, with the expectation and the chunked framing put back. */
  readonly headers: string[];
  readonly expectsContinue: boolean;
  /** Whether the client's connection may be kept once it was told to send its body. */
  readonly keepAlive: boolean;
}

/** The upload a request needs, or `undefined` when the pool can send it. */
export function uploadOf(
  forwarded: ForwardedRequest,
  expectsContinue: boolean,
  keepAlive: boolean,
): Upload | undefined {
  const chunked = forwarded.bodyLength < 0;
  if (!forwarded.hasBody || (!expectsContinue && !chunked)) return undefined;
  const headers = [...forwarded.headers];
  // node:http would send a GET or DELETE body without any framing otherwise.
  if (chunked) headers.push('transfer-encoding', 'chunked');
  if (expectsContinue) headers.push('expect', '100-continue');
  return { headers, expectsContinue, keepAlive };
}

/**
 * Sends `exchange` as an upload, driving the exchange's handler callbacks as the client does: the
 * same retries, response forwarding and metrics. The client's body streams upstream from the
 * moment the connection is open, whenever the client sends it; the client is told to send it
 * only when the upstream sends `100 Continue`. Connections are kept alive in the target's own
 * node:http agent, except one whose body was not sent in full.
 */
export function sendUpload(exchange: Exchange, upload: Upload): void {
  const { req, res, target } = exchange;
  target.begin();
  const upstream = request({
    host: target.host,
    port: target.port,
    method: req.method ?? 'POST',
    path: req.url ?? '/',
    headers: upload.headers,
    agent: target.agent,
    setHost: false,
    timeout: exchange.settings.responseTimeoutMs,
  });
  let settled = false;
  let continued = false;
  const fail = (error: Error) => {
    if (settled) return;
    settled = true;
    upstream.destroy();
    exchange.onError(error);
  };
  upstream.on('error', fail);
  upstream.on('timeout', () => fail(timedOut()));
  const connected = () => {
    exchange.onConnect((error) => fail(error ?? new Error('aborted')));
    if (!settled) streamBody(req, upstream);
  };
  upstream.once('socket', (socket: Socket) => {
    // A kept-alive socket is connected already.
    if (socket.connecting) socket.once('connect', connected);
    else connected();
  });
  upstream.on('continue', () => {
    if (continued || settled || exchange.clientGone) return;
    continued = true;
    res.shouldKeepAlive = upload.keepAlive;
    res.writeContinue();
  });
  // 103 Early Hints; a 100 was handled as `continue` above and is ignored here.
  upstream.on('information', (info: InformationEvent) => {
    exchange.onHeaders(info.statusCode, info.rawHeaders, resumeNothing, '');
  });
  upstream.once('response', (response: IncomingMessage) => {
    if (settled) return;
    const resume = () => response.resume();
    if (
      !exchange.onHeaders(
        response.statusCode ?? 502,
        response.rawHeaders,
        resume,
        response.statusMessage ?? '',
      )
    ) {
      return;
    }
    response.on('data', (chunk: Buffer) => {
      if (!exchange.onData(chunk)) response.pause();
    });
    finished(response, (error) => {
      if (error !== undefined && error !== null) {
        fail(error);
        return;
      }
      if (settled) return;
      settled = true;
      // A body not sent in full (refused before it, or answered early) leaves the connection
      // unusable: it is closed rather than pooled.
      if (!upstream.writableFinished) upstream.destroy();
      exchange.onComplete(response.rawTrailers);
    });
  });
}

/** Pipes the client's body upstream, then its trailer fields, cleaned like headers. */
function streamBody(req: IncomingMessage, upstream: ClientRequest): void {
  req.pipe(upstream, { end: false });
  req.once('end', () => {
    if (upstream.destroyed) return;
    const trailers = forwardTrailers(req.rawTrailers);
    if (trailers.length > 0) upstream.addTrailers(trailers);
    upstream.end();
  });
}

function timedOut(): Error {
  return Object.assign(new Error('the upstream was silent too long'), { code: 'ETIMEDOUT' });
}

function resumeNothing(): void {}
