import { Buffer } from 'node:buffer';
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * The errors the router itself answers with, and their HTTP status. The body has the shape of
 * every Ferry API error, `{"error":{"code":"...","message":"..."}}`, so clients parse one format.
 */
export const proxyErrors = {
  no_upstream: {
    status: 503,
    message: 'No ready upstream serves this route; retry when an instance is ready.',
  },
  upstream_unreachable: {
    status: 502,
    message: 'The upstream failed before sending a response.',
  },
  upstream_timeout: {
    status: 504,
    message: 'The upstream did not respond in time.',
  },
  bad_request: {
    status: 400,
    message: 'The request is malformed.',
  },
  method_not_allowed: {
    status: 405,
    message: 'CONNECT is not supported: the router is not a forward proxy.',
  },
  not_implemented: {
    status: 501,
    message: 'Only the chunked transfer coding is supported.',
  },
} as const;

export type ProxyErrorCode = keyof typeof proxyErrors;

/** Bodies are rendered once: answering an error costs no serialization. */
const bodies = Object.fromEntries(
  Object.entries(proxyErrors).map(([code, { message }]) => [
    code,
    Buffer.from(JSON.stringify({ error: { code, message } })),
  ]),
) as Record<ProxyErrorCode, Buffer>;

/** Answers `code`, or cuts the connection when the upstream's status line already went out. */
export function sendProxyError(res: ServerResponse, code: ProxyErrorCode): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, proxyErrors[code].status, bodies[code], []);
}

/**
 * Answers a request the router refuses as the client's mistake (400, 501), with `message`, and
 * closes the connection: after a malformed request its framing cannot be trusted.
 */
export function sendRefusal(res: ServerResponse, code: ProxyErrorCode, message: string): void {
  const body = Buffer.from(JSON.stringify({ error: { code, message } }));
  sendJson(res, proxyErrors[code].status, body, ['connection', 'close']);
}

/** A JSON body the router writes itself: never cached, its length known. */
function sendJson(
  res: ServerResponse,
  status: number,
  body: Buffer,
  extraHeaders: readonly string[],
): void {
  res.writeHead(status, [
    'content-type',
    'application/json; charset=utf-8',
    'content-length',
    String(body.length),
    'cache-control',
    'no-store',
    ...extraHeaders,
  ]);
  res.end(body);
}

const reasons: Record<number, string> = {
  400: 'Bad Request',
  405: 'Method Not Allowed',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Whole responses for a connection taken over by the router (Upgrade), rendered once. */
const rawResponses = Object.fromEntries(
  Object.entries(bodies).map(([code, body]) => {
    const status = proxyErrors[code as ProxyErrorCode].status;
    const head =
      `HTTP/1.1 ${status} ${reasons[status] ?? 'Error'}\r\n` +
      'content-type: application/json; charset=utf-8\r\n' +
      `content-length: ${body.length}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n`;
    return [code, Buffer.concat([Buffer.from(head, 'latin1'), body])];
  }),
) as Record<ProxyErrorCode, Buffer>;

/** Answers `code` on a raw client socket (no HTTP response object) and closes it. */
export function sendRawProxyError(socket: Duplex, code: ProxyErrorCode): void {
  if (socket.writable) socket.end(rawResponses[code]);
  else socket.destroy();
}
