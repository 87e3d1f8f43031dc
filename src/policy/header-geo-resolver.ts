import { CidrSet } from '../network/client-ip.js';
import type { GeoResolver } from './geo-resolver.interface.js';

/**
 * Options of {@link HeaderGeoResolver}.
 *
 * @example const options: HeaderGeoResolverOptions = { trustedProxies: new CidrSet(['10.0.0.0/8']) };
 */
export interface HeaderGeoResolverOptions {
  /** Proxies allowed to set the header; the header of any other peer is ignored. */
  trustedProxies: CidrSet;
  /** Header carrying the country code (default `'cf-ipcountry'`). */
  header?: string;
}

const CODE = /^[A-Za-z]{2}$/;
const UNKNOWN = new Set(['XX', 'ZZ']);

/**
 * The default {@link GeoResolver}: reads a two-letter country header set by a CDN or reverse proxy
 * (Cloudflare's `CF-IPCountry` by default), but only when the direct peer is a trusted proxy, so a
 * client cannot claim a country by sending the header itself. `XX`/`ZZ` (unknown), `T1` (Tor) and
 * anything that is not two letters give `null`.
 *
 * @example new HeaderGeoResolver({ trustedProxies: new CidrSet(['173.245.48.0/20']), header: 'x-country' })
 */
export class HeaderGeoResolver implements GeoResolver {
  private readonly header: string;

  constructor(private readonly options: HeaderGeoResolverOptions) {
    this.header = (options.header ?? 'cf-ipcountry').toLowerCase();
  }

  resolve(request: object, _clientIp: string): string | null {
    const incoming = request as {
      headers?: Record<string, string | string[] | undefined>;
      socket?: { remoteAddress?: string };
    };
    const peer = incoming.socket?.remoteAddress;
    if (!peer || this.options.trustedProxies.size === 0) return null;
    if (!this.options.trustedProxies.contains(peer)) return null;
    const value = incoming.headers?.[this.header];
    if (typeof value !== 'string') return null;
    const code = value.trim();
    if (!CODE.test(code)) return null;
    const upper = code.toUpperCase();
    return UNKNOWN.has(upper) ? null : upper;
  }
}
