import ipaddr from 'ipaddr.js';

/**
 * The network an address belongs to: its IPv4 /24 or its IPv6 /48 (an IPv4-mapped IPv6 address
 * counts as IPv4), so moving between addresses of one provider's block stays on one network.
 * `null` for an address that does not parse.
 *
 * @example
 * networkPrefix('203.0.113.77'); // '203.0.113.0/24'
 * networkPrefix('2001:db8:1:2::5'); // '2001:db8:1::/48'
 */
export function networkPrefix(ip: string): string | null {
  if (!ipaddr.isValid(ip)) return null;
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') {
    const [a, b, c] = (address as ipaddr.IPv4).octets;
    return `${a}.${b}.${c}.0/24`;
  }
  const parts = (address as ipaddr.IPv6).parts.slice(0, 3).map((part) => part.toString(16));
  return `${parts.join(':')}::/48`;
}
