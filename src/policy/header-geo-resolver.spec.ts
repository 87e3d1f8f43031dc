import { CidrSet } from '../network/client-ip.js';
import { HeaderGeoResolver } from './header-geo-resolver.js';

const request = (peer: string, headers: Record<string, string | string[]>) => ({
  socket: { remoteAddress: peer },
  headers,
});

describe('HeaderGeoResolver', () => {
  const resolver = new HeaderGeoResolver({ trustedProxies: new CidrSet(['10.0.0.0/8']) });

  it('believes the country header from a trusted proxy', () => {
    expect(resolver.resolve(request('10.0.0.2', { 'cf-ipcountry': 'de' }), '203.0.113.9')).toBe(
      'DE',
    );
    expect(resolver.resolve(request('::ffff:10.0.0.2', { 'cf-ipcountry': 'AT' }), '')).toBe('AT');
  });

  it('ignores the header when a client sends it directly', () => {
    expect(
      resolver.resolve(request('203.0.113.9', { 'cf-ipcountry': 'DE' }), '203.0.113.9'),
    ).toBeNull();
  });

  it.each([['XX'], ['T1'], ['DEU'], [''], ['D1']])('treats %p as unknown', (value) => {
    expect(resolver.resolve(request('10.0.0.2', { 'cf-ipcountry': value }), '')).toBeNull();
  });

  it('ignores a repeated header', () => {
    expect(resolver.resolve(request('10.0.0.2', { 'cf-ipcountry': ['DE', 'FR'] }), '')).toBeNull();
  });

  it('reads a configured header name and trusts nobody without proxies', () => {
    const custom = new HeaderGeoResolver({
      trustedProxies: new CidrSet(['10.0.0.0/8']),
      header: 'X-Country',
    });
    expect(custom.resolve(request('10.0.0.2', { 'x-country': 'FR' }), '')).toBe('FR');
    const none = new HeaderGeoResolver({ trustedProxies: new CidrSet([]) });
    expect(none.resolve(request('10.0.0.2', { 'cf-ipcountry': 'DE' }), '')).toBeNull();
  });
});
