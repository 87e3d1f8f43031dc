import type { GeoResolver } from './geo-resolver.interface.js';

/**
 * The country of a request from a {@link GeoResolver}: an upper-case ISO 3166-1 alpha-2 code, or
 * `null` when there is no resolver, it does not know, answers something else, or throws.
 *
 * @example const country = await countryOf(geo, request, clientIp); // 'DE' or null
 */
export async function countryOf(
  resolver: GeoResolver | null | undefined,
  request: object,
  ip: string,
): Promise<string | null> {
  if (!resolver) return null;
  try {
    const country = await resolver.resolve(request, ip);
    return typeof country === 'string' && /^[A-Z]{2}$/.test(country) ? country : null;
  } catch {
    return null;
  }
}
