/**
 * Why a request to an upstream failed, beyond the socket's own errno codes (ECONNREFUSED,
 * ECONNRESET, EPIPE, ...), which pass through as they are. The names are undici's and llhttp's,
 * so the retry logic (exchange.ts), the mirror and error descriptions read one vocabulary
 * whichever client sent the request.
 */
export const upstreamErrorCodes = [
  /** The connection closed before the response was complete (`other side closed`). */
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  /** No complete response head within the request's `headersTimeout`. */
  'UND_ERR_HEADERS_TIMEOUT',
  /** Silence between body bytes longer than the request's `bodyTimeout`. */
  'UND_ERR_BODY_TIMEOUT',
  /** The caller aborted the request. */
  'UND_ERR_ABORTED',
  /** The client was destroyed with the request in flight, or before it was sent. */
  'UND_ERR_DESTROYED',
  /** The request body stream ended before (or went past) its Content-Length. */
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
  /** The response ended before the length its Content-Length announced. */
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  // A malformed response (the parser's codes are llhttp's).
  'HPE_INVALID_STATUS',
  'HPE_INVALID_VERSION',
  'HPE_INVALID_HEADER_TOKEN',
  'HPE_HEADER_OVERFLOW',
  'HPE_INVALID_CONTENT_LENGTH',
  'HPE_UNEXPECTED_CONTENT_LENGTH',
  'HPE_INVALID_TRANSFER_ENCODING',
  'HPE_INVALID_CHUNK_SIZE',
  'HPE_STRICT',
  /** Bytes from the upstream while no request was waiting for them. */
  'HPE_UNEXPECTED_DATA',
] as const;

export type UpstreamErrorCode = (typeof upstreamErrorCodes)[number];

/** An upstream request failure that is no errno: it carries one of {@link upstreamErrorCodes}. */
export class UpstreamError extends Error {
  constructor(
    readonly code: UpstreamErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
}
