import fc from 'fast-check';
import { CidrSet, parseIp, resolveClientIp } from './client-ip.js';

describe('CidrSet', () => {
  const set = new CidrSet(['10.0.0.0/8', '127.0.0.1/32', '::1/128', '2001:db8::/32']);

  it.each([
    ['10.1.2.3', true],
    ['11.0.0.1', false],
    ['127.0.0.1', true],
    ['::ffff:10.9.9.9', true],
    ['::ffff:192.168.0.1', false],
    ['::1', true],
    ['2001:db8::42', true],
    ['2001:db9::1', false],
    ['not-an-ip', false],
  ])('%s in the set: %s', (ip, expected) => {
    expect(set.contains(ip)).toBe(expected);
  });

  it('names the bad entry of an invalid CIDR', () => {
    expect(() => new CidrSet(['10.0.0.0/8', '10.0.0.0/33'], 'networks.internal')).toThrow(
      "networks.internal[1]: invalid CIDR '10.0.0.0/33'",
    );
  });

  it('matches every address of a v4 range and its mapped v6 form alike', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), fc.ipV4(), (base, bits, probe) => {
        const range = new CidrSet([`${base}/${bits}`]);
        expect(range.contains(`::ffff:${probe}`)).toBe(range.contains(probe));
      }),
    );
  });
});

describe('resolveClientIp', () => {
  const proxies = new CidrSet(['127.0.0.1/32']);

  it('ignores X-Forwarded-For from an untrusted peer', () => {
    expect(resolveClientIp('203.0.113.9', '10.0.0.1', proxies)).toBe('203.0.113.9');
  });

  it('ignores X-Forwarded-For when no proxy is trusted', () => {
    expect(resolveClientIp('127.0.0.1', '10.0.0.1', new CidrSet([]))).toBe('127.0.0.1');
  });

  it('believes a trusted proxy and takes the right-most untrusted hop', () => {
    expect(resolveClientIp('::ffff:127.0.0.1', '198.51.100.1, 10.0.0.7', proxies)).toBe('10.0.0.7');
  });

  it('falls back to the peer when the header holds garbage', () => {
    expect(resolveClientIp('127.0.0.1', 'evil, <script>', proxies)).toBe('127.0.0.1');
  });

  it('never returns something that is not an address', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (peer, header) => {
        const ip = resolveClientIp(peer, header, proxies);
        expect(ip === '' || parseIp(ip) !== null).toBe(true);
      }),
    );
  });
});
