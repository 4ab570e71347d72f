/**
 * Pino `redact` settings for the server's logger: credentials in any logged request or header
 * object are replaced, so a token never reaches the logs.
 */
export const logRedaction = {
  paths: [
    'req.headers.authorization',
    'request.headers.authorization',
    'headers.authorization',
    '*.headers.authorization',
  ],
  censor: '[redacted]',
};
