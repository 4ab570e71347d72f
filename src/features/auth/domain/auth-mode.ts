/**
 * `ferry server --auth`: `auto` (the default) requires a token when the API listens beyond
 * loopback and lets tokenless calls from loopback through; `required` requires one everywhere.
 * There is no `off`: on loopback `auto` already asks for nothing, and beyond it nothing may run
 * without a token.
 */
export const authModes = ['auto', 'required'] as const;
export type AuthMode = (typeof authModes)[number];

/**
 * Whether every API call needs a token on a server listening on `host`.
 *
 * @example tokenRequired('auto', '0.0.0.0') // true
 */
export function tokenRequired(mode: AuthMode, host: string): boolean {
  return mode === 'required' || !isLoopbackHost(host);
}

/** `localhost`, `127.0.0.0/8`, `::1` and their IPv4-mapped forms; anything else is reachable. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.replace(/^::ffff:/, '');
  const octets = v4.split('.');
  return (
    octets.length === 4 &&
    octets[0] === '127' &&
    octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255)
  );
}
