import type { ErrorCode, ErrorDetail } from '../errors/ferry-error.js';
import { errorCodes, FerryError } from '../errors/ferry-error.js';

const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ECONNRESET',
  'ETIMEDOUT',
]);

/**
 * Re-raises the server's `{error: {code, message, details?, ...}}` body as the FerryError it was
 * on the server. A body that is not one (a proxy's HTML page) still becomes one readable error.
 */
export function apiErrorFrom(status: number, text: string): FerryError {
  const body = parseJson(text);
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  if (!error || typeof error.message !== 'string') {
    return new FerryError(
      status >= 500 ? 'internal' : 'invalid_request',
      `server answered HTTP ${status}`,
    );
  }
  const { code, message, details, ...extra } = error;
  return new FerryError(isErrorCode(code) ? code : 'internal', message, {
    details: Array.isArray(details) ? details.filter(isDetail) : [],
    extra,
  });
}

/**
 * Turns a failed connection into `server_unreachable` with what to do about it; anything else
 * (an abort, a bug) passes through unchanged.
 */
export function connectionErrorFrom(error: unknown, url: string): unknown {
  const code = socketErrorCode(error);
  if (code === undefined) return error;
  const message =
    code === 'ECONNREFUSED'
      ? `no Ferry server at ${url} (start one with "ferry server", or set --server / FERRY_SERVER)`
      : `cannot reach the Ferry server at ${url} (${code})`;
  return new FerryError('server_unreachable', message, { cause: error });
}

/** The errno code of a connection failure, looking through undici's and Node's wrappers. */
function socketErrorCode(error: unknown): string | undefined {
  if (!isRecord(error)) return undefined;
  if (typeof error.code === 'string' && unreachableCodes.has(error.code)) return error.code;
  // Happy-eyeballs connects raise an AggregateError of one failure per address.
  if (Array.isArray(error.errors)) {
    for (const inner of error.errors) {
      const code = socketErrorCode(inner);
      if (code) return code;
    }
  }
  return error.cause !== undefined && error.cause !== error
    ? socketErrorCode(error.cause)
    : undefined;
}

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCodes, value);
}

function isDetail(value: unknown): value is ErrorDetail {
  return isRecord(value) && typeof value.path === 'string' && typeof value.message === 'string';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
