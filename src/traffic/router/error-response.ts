import type { ServerResponse } from 'node:http';

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
  const body = bodies[code];
  res.writeHead(proxyErrors[code].status, [
    'content-type',
    'application/json; charset=utf-8',
    'content-length',
    String(body.length),
    'cache-control',
    'no-store',
  ]);
  res.end(body);
}
