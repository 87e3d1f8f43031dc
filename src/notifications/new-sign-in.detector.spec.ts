import fc from 'fast-check';
import { detectNewSignIn, deviceKey, networkKey } from './new-sign-in.detector.js';

const CHROME_LINUX =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.71 Safari/537.36';
const CHROME_LINUX_UPDATED = CHROME_LINUX.replace('120.0.6099.71', '121.0.6167.85');
const FIREFOX_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:121.0) Gecko/20100101 Firefox/121.0';

describe('detectNewSignIn', () => {
  const home = { ip: '203.0.113.10', userAgent: CHROME_LINUX };

  it('does not alert on the very first sign-in', () => {
    expect(detectNewSignIn(home, [])).toEqual({ isNew: false, reason: 'first_sign_in' });
  });

  it('treats a browser update on the same network as the same device', () => {
    expect(
      detectNewSignIn({ ip: '203.0.113.99', userAgent: CHROME_LINUX_UPDATED }, [home]),
    ).toEqual({ isNew: false, reason: 'known_device_and_network' });
  });

  it('alerts on another browser or OS', () => {
    expect(detectNewSignIn({ ip: home.ip, userAgent: FIREFOX_MAC }, [home])).toEqual({
      isNew: true,
      reason: 'new_device',
    });
  });

  it('alerts on a known device from a network never seen before', () => {
    expect(detectNewSignIn({ ip: '198.51.100.7', userAgent: CHROME_LINUX }, [home])).toEqual({
      isNew: true,
      reason: 'new_network',
    });
  });

  it('accepts a network that another known device used', () => {
    const office = { ip: '198.51.100.7', userAgent: FIREFOX_MAC };
    expect(
      detectNewSignIn({ ip: '198.51.100.8', userAgent: CHROME_LINUX }, [home, office]),
    ).toEqual({ isNew: false, reason: 'known_device_and_network' });
  });

  it('treats a missing user agent or address as a value of its own', () => {
    expect(detectNewSignIn({ ip: home.ip, userAgent: null }, [home]).isNew).toBe(true);
    expect(detectNewSignIn({ ip: null, userAgent: CHROME_LINUX }, [home]).isNew).toBe(true);
    expect(detectNewSignIn({ ip: null, userAgent: null }, [{}]).isNew).toBe(false);
  });

  it('never alerts on a sign-in identical to an earlier one', () => {
    const origin = fc.record({
      ip: fc.option(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string()), { nil: null }),
      userAgent: fc.option(fc.string(), { nil: null }),
    });
    fc.assert(
      fc.property(fc.array(origin), origin, fc.array(origin), (before, current, after) => {
        expect(detectNewSignIn(current, [...before, current, ...after]).isNew).toBe(false);
      }),
    );
  });
});

describe('networkKey', () => {
  it('groups IPv4 by /24 and IPv6 by /48, and unwraps IPv4-mapped IPv6', () => {
    expect(networkKey('203.0.113.77')).toBe('203.0.113.0/24');
    expect(networkKey('::ffff:203.0.113.5')).toBe('203.0.113.0/24');
    expect(networkKey('2001:db8:1:2::5')).toBe('2001:db8:1::/48');
    expect(networkKey('2001:db8:1:ffff::1')).toBe(networkKey('2001:0db8:0001::9'));
    expect(networkKey('2001:db8:2::1')).not.toBe(networkKey('2001:db8:1::1'));
  });

  it('keeps unparsable and missing addresses apart from real ones', () => {
    expect(networkKey('not-an-ip')).toBe('raw:not-an-ip');
    expect(networkKey(undefined)).toBe('');
  });
});

describe('deviceKey', () => {
  it('drops version numbers but keeps product names', () => {
    expect(deviceKey(CHROME_LINUX)).toBe(deviceKey(CHROME_LINUX_UPDATED));
    expect(deviceKey(CHROME_LINUX)).not.toBe(deviceKey(FIREFOX_MAC));
  });
});
