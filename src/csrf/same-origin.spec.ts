import { isLoopback, isSameOrigin } from './same-origin.js';

const none = new Set<string>();
const judge = (host: string, origin: string, surface?: 'http' | 'websocket', allowed = none) =>
  isSameOrigin({ host, origin }, allowed, surface);

describe('isSameOrigin: same scheme, host and port', () => {
  it('accepts https from this host and port, default ports written or not', () => {
    expect(judge('app.test', 'https://app.test')).toBe(true);
    expect(judge('app.test:443', 'https://app.test')).toBe(true);
    expect(judge('app.test', 'https://app.test:443')).toBe(true);
    expect(judge('app.test:8443', 'https://app.test:8443')).toBe(true);
  });

  it('refuses plain http for a host that is not loopback, on requests and handshakes', () => {
    expect(judge('app.test', 'http://app.test')).toBe(false);
    expect(judge('app.test:80', 'http://app.test')).toBe(false);
    expect(judge('app.test', 'http://app.test', 'websocket')).toBe(false);
    expect(judge('app.test', 'ws://app.test', 'websocket')).toBe(false);
  });

  it('refuses another host or port, and an Origin of another scheme on the same port', () => {
    expect(judge('app.test', 'https://evil.test')).toBe(false);
    expect(judge('app.test:8443', 'https://app.test:9443')).toBe(false);
    expect(judge('app.test:8443', 'https://app.test')).toBe(false);
    expect(judge('localhost:3000', 'https://localhost:3001')).toBe(false);
    expect(judge('localhost:3000', 'ftp://localhost:3000')).toBe(false);
  });

  it('accepts http (and ws for handshakes) from a loopback host with the same port', () => {
    for (const host of ['localhost:3000', '127.0.0.1:3000', '[::1]:3000', 'app.localhost:3000']) {
      expect(judge(host, `http://${host}`)).toBe(true);
      expect(judge(host, `http://${host}`, 'websocket')).toBe(true);
      expect(judge(host, `ws://${host}`, 'websocket')).toBe(true);
      expect(judge(host, `ws://${host}`)).toBe(false);
    }
    expect(judge('localhost:3000', 'http://localhost:4000')).toBe(false);
  });

  it('accepts wss only for handshakes', () => {
    expect(judge('app.test', 'wss://app.test', 'websocket')).toBe(true);
    expect(judge('app.test', 'wss://app.test')).toBe(false);
  });

  it('matches csrf.allowedOrigins exactly, whatever the scheme', () => {
    const allowed = new Set(['http://partner.test', 'https://admin.test']);
    expect(judge('app.test', 'http://partner.test', 'http', allowed)).toBe(true);
    expect(judge('app.test', 'https://partner.test', 'http', allowed)).toBe(false);
    expect(judge('app.test', 'https://admin.test', 'websocket', allowed)).toBe(true);
  });

  it('refuses Origin null, unparsable origins and host headers that are not a host', () => {
    expect(judge('app.test', 'null')).toBe(false);
    expect(judge('app.test', 'not a url')).toBe(false);
    expect(judge('app.test/x', 'https://app.test')).toBe(false);
    expect(judge('', 'https://app.test')).toBe(false);
    expect(isSameOrigin({ origin: 'https://app.test' }, none)).toBe(false);
  });

  it('keeps the Fetch Metadata rules', () => {
    expect(isSameOrigin({ 'sec-fetch-site': 'cross-site' }, none)).toBe(false);
    expect(isSameOrigin({ 'sec-fetch-site': 'same-site' }, none)).toBe(false);
    expect(isSameOrigin({ 'sec-fetch-site': 'same-origin' }, none)).toBe(true);
    expect(isSameOrigin({}, none)).toBe(true);
  });

  it('knows the loopback host names', () => {
    expect(
      ['localhost', '127.0.0.1', '127.8.9.10', '[::1]', 'a.localhost'].map(isLoopback),
    ).toEqual([true, true, true, true, true]);
    expect(['localhost.evil.test', '128.0.0.1', '::1', 'app.test'].map(isLoopback)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});
