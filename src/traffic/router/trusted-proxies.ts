import { BlockList, type Socket } from 'node:net';

/** A CIDR, as ferry.yaml's `router.trustedProxies` resolves it. */
export interface Subnet {
  readonly address: string;
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

/** The TCP peer of a client connection, and whether its X-Forwarded-* fields are believed. */
export interface Peer {
  readonly address: string | undefined;
  readonly trusted: boolean;
}

const kPeer = Symbol('ferry.peer');
type PeerSocket = Socket & { [kPeer]?: Peer };

/**
 * The proxies in front of the router whose X-Forwarded-* fields it keeps (`router.trustedProxies`).
 * Matching is node:net's `BlockList`, which also matches an IPv4-mapped IPv6 peer
 * (`::ffff:10.0.0.1`, as a dual-stack listener sees IPv4 clients) against IPv4 subnets. A lookup
 * costs microseconds, so it is made once per connection and remembered on the socket: keep-alive
 * requests after the first cost one property read.
 *
 * @example new TrustedProxies([{ address: '10.0.0.0', prefix: 8, family: 'ipv4' }]).peerOf(socket)
 * // { address: '10.1.2.3', trusted: true }
 */
export class TrustedProxies {
  private readonly list: BlockList | undefined;

  constructor(subnets: readonly Subnet[]) {
    if (subnets.length === 0) return;
    const list = new BlockList();
    for (const { address, prefix, family } of subnets) list.addSubnet(address, prefix, family);
    this.list = list;
  }

  peerOf(socket: Socket): Peer {
    const known = (socket as PeerSocket)[kPeer];
    if (known !== undefined) return known;
    const address = socket.remoteAddress;
    const list = this.list;
    const trusted =
      list !== undefined &&
      address !== undefined &&
      list.check(address, socket.remoteFamily === 'IPv6' ? 'ipv6' : 'ipv4');
    const peer = { address, trusted };
    (socket as PeerSocket)[kPeer] = peer;
    return peer;
  }
}
