import ipaddr from 'ipaddr.js';

/** A parsed set of CIDR ranges with a fast `contains`; IPv4-mapped IPv6 addresses match IPv4 ranges. */
export class CidrSet {
  private readonly ranges: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]>;

  /** @throws Error naming `path` and the bad entry when a CIDR does not parse. */
  constructor(cidrs: readonly string[], path = 'cidrs') {
    this.ranges = cidrs.map((cidr, index) => parseCidr(cidr, `${path}[${index}]`));
  }

  get size(): number {
    return this.ranges.length;
  }

  contains(address: string | ipaddr.IPv4 | ipaddr.IPv6 | null): boolean {
    const ip = typeof address === 'string' ? parseIp(address) : address;
    if (!ip) return false;
    for (const [range, bits] of this.ranges) {
      if (range.kind() === ip.kind() && ip.match(range as never, bits)) return true;
    }
    return false;
  }
}

/** Parses a CIDR (`10.0.0.0/8`, `::1/128`) or a single address (as /32 or /128). */
export function parseCidr(cidr: string, path: string): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  try {
    const [range, bits] = cidr.includes('/')
      ? ipaddr.parseCIDR(cidr)
      : ((ip) => [ip, ip.kind() === 'ipv4' ? 32 : 128] as [ipaddr.IPv4 | ipaddr.IPv6, number])(
          ipaddr.parse(cidr),
        );
    return normalise(range, bits);
  } catch {
    throw new Error(`${path}: invalid CIDR '${cidr}'`);
  }
}

function normalise(
  range: ipaddr.IPv4 | ipaddr.IPv6,
  bits: number,
): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  if (range.kind() === 'ipv6' && (range as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
    return [(range as ipaddr.IPv6).toIPv4Address(), bits - 96];
  }
  return [range, bits];
}

/** Parses an address; IPv4-mapped IPv6 (`::ffff:10.0.0.1`) becomes IPv4. `null` when invalid. */
export function parseIp(address: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (!address || address.length > 64) return null;
  try {
    const ip = ipaddr.parse(address.trim());
    return ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()
      ? (ip as ipaddr.IPv6).toIPv4Address()
      : ip;
  } catch {
    return null;
  }
}

const PEER_CACHE_SIZE = 4_096;
const normalisedPeers = new Map<string, string>();

/**
 * {@link parseIp} then `toString()` (`''` when invalid), remembered for the last few thousand
 * distinct inputs: a socket peer is the same string on every request of a connection.
 */
function normalisedAddress(raw: string): string {
  let normalised = normalisedPeers.get(raw);
  if (normalised === undefined) {
    normalised = parseIp(raw)?.toString() ?? '';
    if (normalisedPeers.size >= PEER_CACHE_SIZE) normalisedPeers.clear();
    normalisedPeers.set(raw, normalised);
  }
  return normalised;
}

/**
 * The client's address: the socket peer, or — only when that peer is a trusted proxy — the
 * right-most address of `X-Forwarded-For` that is not itself a trusted proxy.
 */
export function resolveClientIp(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: CidrSet,
): string {
  const normalisedPeer = normalisedAddress(peer ?? '');
  if (!normalisedPeer || trusted.size === 0 || !forwardedFor) return normalisedPeer;
  if (!trusted.contains(normalisedPeer)) return normalisedPeer;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .slice(-32)
    .map((hop) => hop.trim());
  for (let index = hops.length - 1; index >= 0; index--) {
    const hop = parseIp(hops[index]);
    if (!hop) return normalisedPeer;
    if (!trusted.contains(hop)) return hop.toString();
  }
  return normalisedPeer;
}
