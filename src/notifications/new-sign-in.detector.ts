import { networkPrefix } from '../network/network-prefix.js';

/** Where a sign-in came from (a session's `ip` and `userAgent`). */
export interface SignInOrigin {
  ip?: string | null;
  userAgent?: string | null;
}

/** The verdict of {@link detectNewSignIn}; `isNew` means "tell the user". */
export type NewSignInVerdict =
  | { isNew: false; reason: 'first_sign_in' | 'known_device_and_network' }
  | { isNew: true; reason: 'new_device' | 'new_network' };

/**
 * The device part of a user agent: lower-cased, every version number replaced by `#` and
 * whitespace collapsed, so a browser update is the same device but another browser or OS is not.
 * A missing user agent is the device `''`.
 *
 * @example
 * deviceKey('Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0.1 Safari/537.36'); // 'mozilla/# (x#; linux x#_#) chrome/# safari/#'
 */
export function deviceKey(userAgent: string | null | undefined): string {
  return (userAgent ?? '')
    .toLowerCase()
    .replace(/\d+(?:\.\d+)*/g, '#')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The network part of an address: the IPv4 /24 or the IPv6 /48 (IPv4-mapped IPv6 counts as IPv4),
 * so moving between addresses of one provider's block is the same network. An address that does
 * not parse is its own network; a missing one is `''`.
 *
 * @example
 * networkKey('203.0.113.77'); // '203.0.113.0/24'
 * networkKey('2001:db8:1:2::5'); // '2001:db8:1::/48'
 */
export function networkKey(ip: string | null | undefined): string {
  if (!ip) return '';
  return networkPrefix(ip) ?? `raw:${ip}`;
}

/**
 * Decides whether a sign-in deserves a `new_sign_in` notification, given the user's earlier
 * sessions (including ended ones; the caller picks how far back to look). The rule:
 *
 * 1. No earlier session at all: not new (`first_sign_in`) — there is nothing to compare with, and
 *    the user knows they just signed up.
 * 2. A device (see {@link deviceKey}) no earlier session used: new (`new_device`).
 * 3. A known device from a network (see {@link networkKey}) no earlier session used: new
 *    (`new_network`) — a stolen cookie or password replayed from elsewhere looks like this.
 * 4. Otherwise known (`known_device_and_network`).
 *
 * Device and network are checked independently: a known device on a network only another device
 * used is not new.
 *
 * @example
 * detectNewSignIn({ ip: '198.51.100.7', userAgent: ua }, previousSessions);
 * // { isNew: true, reason: 'new_network' }
 */
export function detectNewSignIn(
  current: SignInOrigin,
  previous: readonly SignInOrigin[],
): NewSignInVerdict {
  if (previous.length === 0) return { isNew: false, reason: 'first_sign_in' };
  const device = deviceKey(current.userAgent);
  if (!previous.some((p) => deviceKey(p.userAgent) === device)) {
    return { isNew: true, reason: 'new_device' };
  }
  const network = networkKey(current.ip);
  if (!previous.some((p) => networkKey(p.ip) === network)) {
    return { isNew: true, reason: 'new_network' };
  }
  return { isNew: false, reason: 'known_device_and_network' };
}
