import { ProviderError } from '../features/analysis/metric-provider.js';

const reasons: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed, try again',
  ETIMEDOUT: 'connection timed out',
  EPIPE: 'connection closed while sending',
  UND_ERR_SOCKET: 'connection closed before the response ended',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_INVALID_ARG: 'invalid request',
  ERR_INVALID_URL: 'invalid URL',
  CERT_HAS_EXPIRED: 'TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate chain is self-signed',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host name',
};

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, errors, cause } = error as { code?: unknown; errors?: unknown; cause?: unknown };
  if (typeof code === 'string') return code;
  // Happy eyeballs tries every address and reports them together.
  if (Array.isArray(errors)) return codeOf(errors[0]);
  return codeOf(cause);
}

/**
 * Why an HTTP call failed, in words: `connection refused`, `host not found`; otherwise the
 * error's own message with its code.
 *
 * @example describeNetworkError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
 * // 'connection refused'
 */
export function describeNetworkError(error: unknown): string {
  const code = codeOf(error);
  const reason = code === undefined ? undefined : reasons[code];
  if (reason !== undefined) return reason;
  const message = error instanceof Error ? error.message : String(error);
  return code === undefined || message.includes(code) ? message : `${message} (${code})`;
}

/** The ProviderError for a failed HTTP call to `where`; a ProviderError raised inside passes as is. */
export function networkFailure(where: string, error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  return new ProviderError(`${where}: ${describeNetworkError(error)}`, { cause: error });
}
