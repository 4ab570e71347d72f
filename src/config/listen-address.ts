import { z } from 'zod';
import { expecting } from './describe-value.js';
import type { ListenAddress } from './ferry-config.js';

/** Host used when an address is written as `:port`. */
export const defaultListenHost = '127.0.0.1';

const pattern = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]*)):(\d{1,5})$/;

/**
 * Parses `host:port`, `:port` (host 127.0.0.1) or `[::1]:port`; undefined when malformed or the
 * port is outside 1–65535.
 *
 * @example parseListenAddress(':8080') // { host: '127.0.0.1', port: 8080 }
 */
export function parseListenAddress(text: string): ListenAddress | undefined {
  const match = pattern.exec(text.trim());
  if (!match) return undefined;
  const [, ipv6, host, portText] = match;
  const port = Number(portText);
  if (port < 1 || port > 65_535) return undefined;
  return { host: ipv6 ?? (host || defaultListenHost), port };
}

const described = expecting('a listen address such as 127.0.0.1:8080 or :8080');

/** A route's listen address in ferry.yaml, resolved to `{ host, port }`. */
export const listenAddressSchema = z.string({ error: described }).transform((text, ctx) => {
  const address = parseListenAddress(text);
  if (address) return address;
  ctx.addIssue({ code: 'custom', message: described({ input: text }), input: text });
  return z.NEVER;
});
