import { fingerprintOf, userAgentFamily } from './client-fingerprint.js';

const CHROME_WIN =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const EDGE_WIN = `${CHROME_WIN} Edg/131.0.2903.86`;
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const CHROME_ANDROID =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';

describe('userAgentFamily', () => {
  it.each([
    [CHROME_WIN, 'Chrome on Windows'],
    [EDGE_WIN, 'Edge on Windows'],
    [FIREFOX_LINUX, 'Firefox on Linux'],
    [SAFARI_IPHONE, 'Safari on iOS'],
    [CHROME_ANDROID, 'Chrome on Android'],
    ['curl/8.5.0', 'curl'],
    ['node-fetch/1.0', 'node-fetch'],
  ])('names %s as %s', (agent, family) => {
    expect(userAgentFamily(agent)).toBe(family);
  });

  it('keeps the family across a browser update', () => {
    expect(userAgentFamily(CHROME_WIN.replace('131.0.0.0', '132.0.6834.83'))).toBe(
      userAgentFamily(CHROME_WIN),
    );
  });

  it('tells another browser on the same system apart', () => {
    expect(userAgentFamily(EDGE_WIN)).not.toBe(userAgentFamily(CHROME_WIN));
  });

  it('answers alike from its memory of agents, also after a flood of distinct ones', () => {
    expect(userAgentFamily(FIREFOX_LINUX)).toBe('Firefox on Linux');
    for (let i = 0; i < 1_500; i++) userAgentFamily(`bot/${i}`);
    expect(userAgentFamily(FIREFOX_LINUX)).toBe('Firefox on Linux');
    expect(userAgentFamily('bot/7')).toBe('bot');
  });

  it('is null for a missing or blank agent', () => {
    expect(userAgentFamily(undefined)).toBeNull();
    expect(userAgentFamily('  ')).toBeNull();
  });
});

describe('fingerprintOf', () => {
  it('takes the /24 of an IPv4 address, the /48 of an IPv6 one and the country as given', () => {
    expect(fingerprintOf({ ip: '203.0.113.77', userAgent: FIREFOX_LINUX, country: 'DE' })).toEqual({
      userAgent: 'Firefox on Linux',
      network: '203.0.113.0/24',
      country: 'DE',
    });
    expect(fingerprintOf({ ip: '2001:db8:1:2::5' }).network).toBe('2001:db8:1::/48');
    expect(fingerprintOf({ ip: '::ffff:198.51.100.9' }).network).toBe('198.51.100.0/24');
  });

  it('leaves what it does not know null', () => {
    expect(fingerprintOf({ ip: 'not-an-ip' })).toEqual({
      userAgent: null,
      network: null,
      country: null,
    });
  });
});
