import type { Peer } from './trusted-proxies.js';
import { equalsLower, LowerNameTable } from './ascii-case.js';

/**
 * Header hygiene of a forwarding proxy. Hop-by-hop fields describe one connection and are never
 * forwarded (RFC 9110 §7.6.1); the X-Forwarded-* fields and Via tell the upstream where the
 * request came from, believed only from a trusted proxy. Headers stay in Node's flat
 * `rawHeaders` form end to end: no object per request, names keep their case, repeated fields
 * stay repeated.
 */

/**
 * What a field means to the proxy; fields without a role pass through untouched. The response
 * parser marks the hop-by-hop ones of a response itself while it parses (`FIELD_HOP`,
 * response-head.ts); client-response.test.ts holds both to the same result.
 */
type Role =
  | 'hop-by-hop'
  | 'connection'
  | 'transfer-encoding'
  | 'content-length'
  | 'host'
  | 'forwarded-for'
  | 'forwarded-proto'
  | 'forwarded-host'
  | 'forwarded'
  | 'via'
  | 'replaced';

const roles = new LowerNameTable<Role>([
  ['connection', 'connection'],
  ['keep-alive', 'hop-by-hop'],
  ['proxy-connection', 'hop-by-hop'],
  ['te', 'hop-by-hop'],
  ['trailer', 'hop-by-hop'],
  ['transfer-encoding', 'transfer-encoding'],
  ['upgrade', 'hop-by-hop'],
  ['content-length', 'content-length'],
  ['host', 'host'],
  ['x-forwarded-for', 'forwarded-for'],
  ['via', 'via'],
  ['x-forwarded-proto', 'forwarded-proto'],
  ['x-forwarded-host', 'forwarded-host'],
  // RFC 7239 says the same things as X-Forwarded-*: believed only from a trusted proxy too.
  ['forwarded', 'forwarded'],
  // Put back by an upload (upload-request.ts), the one sender that waits for the upstream's 100.
  ['expect', 'replaced'],
  // Marks a mirrored copy (mirror.ts): a client must not forge one.
  ['x-ferry-mirror', 'replaced'],
]);

function roleOf(name: string): Role | undefined {
  return roles.get(name);
}

const via = '1.1 ferry';

/** The request headers to send upstream, and whether a body follows them. */
export interface ForwardedRequest {
  readonly headers: string[];
  readonly hasBody: boolean;
  /** Bytes of body the client announced: 0 for none, -1 when chunked (length unknown). */
  readonly bodyLength: number;
  /**
   * The client's request was HTTPS: the router's own scheme, or the first X-Forwarded-Proto of
   * a trusted proxy.
   */
  readonly secure: boolean;
}

/**
 * Builds the upstream request's headers from the client's `rawHeaders`. From a trusted `peer`
 * the X-Forwarded-For chain is kept and the peer appended, and X-Forwarded-Proto and -Host are
 * kept, as is `Forwarded`; from any other peer they are replaced with what the router saw itself
 * (the peer, `proto`, the Host field) and `Forwarded` is dropped, so a client cannot forge them.
 * `defaultHost` stands in for the Host field of an HTTP/1.0 client that sent none.
 *
 * @example forwardRequestHeaders(['Host', 'web', 'X-Forwarded-For', '6.6.6.6'],
 *   { address: '10.0.0.7', trusted: false }, 'http', 'x')
 * // headers: ['Host', 'web', 'x-forwarded-for', '10.0.0.7', 'x-forwarded-proto', 'http',
 * //           'x-forwarded-host', 'web', 'via', '1.1 ferry']
 */
export function forwardRequestHeaders(
  raw: readonly string[],
  peer: Peer,
  proto: 'http' | 'https',
  defaultHost: string,
): ForwardedRequest {
  const headers: string[] = [];
  const trusted = peer.trusted;
  let connection: string | undefined;
  let forwardedFor: string | undefined;
  let forwardedProto: string | undefined;
  let forwardedHost: string | undefined;
  let priorVia: string | undefined;
  let host: string | undefined;
  let bodyLength = 0;
  let chunked = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    switch (roleOf(name)) {
      case undefined:
        headers.push(name, value);
        break;
      case 'connection':
        connection = connection === undefined ? value : `${connection},${value}`;
        break;
      case 'transfer-encoding':
        chunked = true;
        break;
      case 'content-length':
        bodyLength = Number(value);
        headers.push(name, value);
        break;
      case 'host':
        host = value;
        headers.push(name, value);
        break;
      case 'forwarded-for':
        if (trusted)
          forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
        break;
      case 'forwarded-proto':
        if (trusted)
          forwardedProto = forwardedProto === undefined ? value : `${forwardedProto}, ${value}`;
        break;
      case 'forwarded':
        if (trusted) headers.push(name, value);
        break;
      case 'forwarded-host':
        if (trusted)
          forwardedHost = forwardedHost === undefined ? value : `${forwardedHost}, ${value}`;
        break;
      case 'via':
        priorVia = priorVia === undefined ? value : `${priorVia}, ${value}`;
        break;
      case 'hop-by-hop':
      case 'replaced':
        break;
    }
  }
  if (connection !== undefined) removeListed(headers, connection);
  if (host === undefined) headers.push('host', defaultHost);
  const address = peer.address;
  const chain =
    address === undefined
      ? forwardedFor
      : forwardedFor === undefined
        ? address
        : `${forwardedFor}, ${address}`;
  if (chain !== undefined) headers.push('x-forwarded-for', chain);
  const scheme = forwardedProto ?? proto;
  headers.push('x-forwarded-proto', scheme);
  const originalHost = forwardedHost ?? host;
  if (originalHost !== undefined) headers.push('x-forwarded-host', originalHost);
  headers.push('via', priorVia === undefined ? via : `${priorVia}, ${via}`);
  const secure = forwardedProto === undefined ? proto === 'https' : isHttps(forwardedProto);
  // The client's framing ended at the router: the upstream client frames the body again, chunked
  // when its length is unknown.
  return chunked
    ? { headers, hasBody: true, bodyLength: -1, secure }
    : { headers, hasBody: bodyLength > 0, bodyLength, secure };
}

/** The first (client-side) entry of an X-Forwarded-Proto list is `https`, in any case. */
function isHttps(forwardedProto: string): boolean {
  const comma = forwardedProto.indexOf(',');
  const first = comma === -1 ? forwardedProto : forwardedProto.slice(0, comma);
  return first.trim().toLowerCase() === 'https';
}

/** Where {@link forwardResponseHeaders} notes how the upstream frames the response body. */
export interface ResponseFraming {
  /** The body's length from Content-Length; -1 when chunked, unknown or absent. */
  bodyLeft: number;
}

/**
 * Builds the client response's headers from the upstream's `rawHeaders`: strings, or the raw
 * Buffers undici gives, read as latin1 (one char per byte, as Node's own parser does, so no byte
 * is altered) in the same pass. The body length goes to `framing` when one is given.
 */
export function forwardResponseHeaders(
  raw: readonly (Buffer | string)[],
  framing?: ResponseFraming,
): string[] {
  const headers: string[] = [];
  let connection: string | undefined;
  let length = -1;
  let chunked = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = latin1(raw[i] as Buffer | string);
    const value = latin1(raw[i + 1] as Buffer | string);
    const role = roleOf(name);
    if (role === undefined) {
      headers.push(name, value);
    } else if (role === 'connection') {
      connection = connection === undefined ? value : `${connection},${value}`;
    } else if (role === 'transfer-encoding') {
      chunked = true;
    } else if (role !== 'hop-by-hop') {
      if (role === 'content-length') length = Number(value);
      headers.push(name, value);
    }
  }
  if (connection !== undefined) removeListed(headers, connection);
  if (framing !== undefined) {
    framing.bodyLeft = chunked || !(length >= 0) ? -1 : length;
  }
  return headers;
}

function latin1(field: Buffer | string): string {
  return typeof field === 'string' ? field : field.toString('latin1');
}

/** Removes, in place, the fields a Connection header names (`Connection: close, X-Trace`). */
function removeListed(headers: string[], connection: string): void {
  // The usual `keep-alive` or `close` names no field: skip the parsing.
  if (equalsLower(connection, 'keep-alive') || equalsLower(connection, 'close')) return;
  const listed = new Set(
    connection
      .split(',')
      .map((token) => token.trim().toLowerCase())
      .filter((token) => token !== '' && token !== 'close' && token !== 'keep-alive'),
  );
  if (listed.size === 0) return;
  let kept = 0;
  for (let i = 0; i < headers.length; i += 2) {
    if (listed.has((headers[i] as string).toLowerCase())) continue;
    headers[kept++] = headers[i] as string;
    headers[kept++] = headers[i + 1] as string;
  }
  headers.length = kept;
}

/**
 * The trailer fields of a chunked request to send upstream: a field with any role above
 * (hop-by-hop, framing, Host, the X-Forwarded-* and Via fields the router writes) is dropped,
 * so a trailer carries nothing the header section would not (RFC 9110 §6.5.1).
 */
export function forwardTrailers(raw: readonly string[]): [string, string][] {
  const fields: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (roleOf(name) === undefined) fields.push([name, raw[i + 1] as string]);
  }
  return fields;
}
