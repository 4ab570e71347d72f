import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseSubnet } from '../../config/subnet.js';
import { TrustedProxies } from './trusted-proxies.js';

/** A connection from `remoteAddress`, as much of a socket as `peerOf` reads. */
function from(remoteAddress: string, remoteFamily = remoteAddress.includes(':') ? 'IPv6' : 'IPv4') {
  return { remoteAddress, remoteFamily } as Socket;
}

const proxies = new TrustedProxies(
  ['10.0.0.0/8', '192.168.1.7', 'fd00::/8', '::1/128'].map((cidr) => parseSubnet(cidr)!),
);

describe('TrustedProxies', () => {
  it('trusts peers inside its IPv4 and IPv6 subnets only', () => {
    expect(proxies.peerOf(from('10.200.3.4')).trusted).toBe(true);
    expect(proxies.peerOf(from('11.0.0.1')).trusted).toBe(false);
    expect(proxies.peerOf(from('192.168.1.7')).trusted).toBe(true);
    expect(proxies.peerOf(from('192.168.1.8')).trusted).toBe(false);
    expect(proxies.peerOf(from('fd12::9')).trusted).toBe(true);
    expect(proxies.peerOf(from('::1')).trusted).toBe(true);
    expect(proxies.peerOf(from('::2')).trusted).toBe(false);
  });

  it('matches an IPv4 client seen by a dual-stack listener against the IPv4 subnets', () => {
    expect(proxies.peerOf(from('::ffff:10.1.2.3'))).toEqual({
      address: '::ffff:10.1.2.3',
      trusted: true,
    });
    expect(proxies.peerOf(from('::ffff:11.1.2.3')).trusted).toBe(false);
  });

  it("trusts no one without subnets, and remembers a connection's answer", () => {
    expect(new TrustedProxies([]).peerOf(from('10.0.0.1'))).toEqual({
      address: '10.0.0.1',
      trusted: false,
    });
    const socket = from('10.0.0.2');
    expect(proxies.peerOf(socket)).toBe(proxies.peerOf(socket));
  });
});
