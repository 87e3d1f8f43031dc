/**
 * Port that tells the module (policy `when.country`, theft signals) which country a request comes from (ISO 3166-1 alpha-2, upper
 * case), or `null` when unknown. The symbol of the same name is its DI token.
 *
 * @example
 * class MaxMindGeoResolver implements GeoResolver {
 *   resolve(_request: object, clientIp: string) { return this.reader.country(clientIp)?.isoCode ?? null; }
 * }
 */
export interface GeoResolver {
  resolve(request: object, clientIp: string): string | null | Promise<string | null>;
}
/**
 * DI token of the {@link GeoResolver} port.
 *
 * @example constructor(@Inject(GeoResolver) private readonly geo: GeoResolver) {}
 */
export const GeoResolver = Symbol('GeoResolver');
