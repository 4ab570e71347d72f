import type { IncomingMessage } from 'node:http';
import { equalsLower } from './ascii-case.js';

/** Why the router refuses a request itself, before any upstream is chosen. */
export type Refusal =
  | { readonly code: 'bad_request'; readonly message: string }
  | { readonly code: 'not_implemented'; readonly message: string };

/**
 * Checks what Node's parser lets through but no upstream could be handed unambiguously: a
 * second Host field, `OPTIONS *`, an absolute-form target whose authority is not the Host
 * (RFC 9112 §3.2.2), and a Transfer-Encoding other than `chunked`, which the router would
 * otherwise drop a layer of. An absolute-form target that agrees with Host is rewritten to
 * origin form in place, so the upstream gets the path it expects. These are the client's
 * mistakes: they are answered here and never count against a version.
 */
export function checkRequest(req: IncomingMessage): Refusal | undefined {
  const raw = req.rawHeaders;
  let host: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (equalsLower(name, 'host')) {
      if (host !== undefined) return badRequest('the request has more than one Host field');
      host = raw[i + 1] as string;
    } else if (equalsLower(name, 'transfer-encoding')) {
      if ((raw[i + 1] as string).trim().toLowerCase() !== 'chunked') {
        return {
          code: 'not_implemented',
          message: 'Only the chunked transfer coding is supported.',
        };
      }
    }
  }
  const url = req.url ?? '/';
  if (url.charCodeAt(0) === 47 /* '/' */) return undefined;
  if (url === '*') return badRequest('the asterisk-form target (OPTIONS *) is not forwarded');
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return badRequest('the request target is neither a path nor an absolute URI');
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return badRequest('the request target is neither a path nor an http(s) URI');
  }
  const authority = url.slice(url.indexOf('//') + 2).split(/[/?#]/, 1)[0] as string;
  if (host !== undefined && host.toLowerCase() !== authority.toLowerCase()) {
    return badRequest('the request target names another authority than the Host field');
  }
  req.url = `${target.pathname}${target.search}`;
  return undefined;
}

function badRequest(what: string): Refusal {
  return { code: 'bad_request', message: `Malformed request: ${what}.` };
}
