import { isIP } from 'node:net';
import { z } from 'zod';
import { expecting } from './describe-value.js';
import type { Subnet } from './ferry-config.js';

/**
 * Parses a CIDR (`10.0.0.0/8`, `::1/128`) or a bare address (one host: `/32` or `/128`);
 * `undefined` when the address is not an IP address or the prefix is too long for its family.
 * Host bits may be set (`10.1.2.3/8` is `10.0.0.0/8`), as in nginx's `set_real_ip_from`.
 *
 * @example parseSubnet('10.0.0.0/8') // { address: '10.0.0.0', prefix: 8, family: 'ipv4' }
 */
export function parseSubnet(text: string): Subnet | undefined {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const version = isIP(address);
  if (version === 0) return undefined;
  const bits = version === 4 ? 32 : 128;
  const prefixText = slash === -1 ? String(bits) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) return undefined;
  return { address, prefix: Number(prefixText), family: version === 4 ? 'ipv4' : 'ipv6' };
}

const described = expecting('a CIDR such as 10.0.0.0/8 or ::1/128, or an IP address');

/** One entry of `router.trustedProxies`, resolved once at load. */
export const subnetSchema = z.string({ error: described }).transform((text, ctx) => {
  const subnet = parseSubnet(text);
  if (subnet) return subnet;
  ctx.addIssue({ code: 'custom', message: described({ input: text }), input: text });
  return z.NEVER;
});
