import fc from 'fast-check';
import {
  AuditDetailsError,
  isSensitiveKey,
  looksLikeSecret,
  sanitizeDetails,
} from './audit-details-guard.js';

describe('isSensitiveKey', () => {
  it.each([
    'password',
    'newPassword',
    'PASSWD',
    'token',
    'tokenHash',
    'refresh_token',
    'access-token',
    'clientSecret',
    'apiKey',
    'authorization',
    'cookie',
    'credentials',
  ])('flags %s', (name) => expect(isSensitiveKey(name)).toBe(true));

  it.each(['reason', 'username', 'ip', 'sessionId', 'email', 'roles'])('keeps %s', (name) =>
    expect(isSensitiveKey(name)).toBe(false),
  );
});

describe('sanitizeDetails', () => {
  it('drops credential keys at any depth and reports their paths', () => {
    const result = sanitizeDetails({
      username: 'ann',
      password: 'hunter2',
      request: { headers: { cookie: 'a=b', accept: '*/*' } },
      attempts: [{ token: 'abc', at: 1 }],
    });
    expect(result.details).toEqual({
      username: 'ann',
      request: { headers: { accept: '*/*' } },
      attempts: [{ at: 1 }],
    });
    expect(result.redacted).toEqual(['password', 'request.headers.cookie', 'attempts[0].token']);
  });

  it('never lets a credential-named key through, whatever the data', () => {
    const secretKey = fc.constantFrom('password', 'token', 'tokenHash', 'secret', 'userPassword');
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), secretKey, fc.string(), (d, k, v) => {
        const { details } = sanitizeDetails({ ...d, nested: { [k]: v }, [k]: v });
        const text = JSON.stringify(details);
        expect(text).not.toContain(`"${k}":`);
      }),
    );
  });

  it('normalises to what JSON storage gives back', () => {
    const { details } = sanitizeDetails({ when: new Date(0), gone: undefined, n: NaN });
    expect(details).toEqual({ when: '1970-01-01T00:00:00.000Z', n: null });
  });

  it('treats missing details as empty', () => {
    expect(sanitizeDetails(undefined)).toEqual({ details: {}, redacted: [] });
  });

  it.each([
    ['a bigint', { n: 1n }],
    [
      'a cycle',
      (() => {
        const o: Record<string, unknown> = {};
        o.self = o;
        return o;
      })(),
    ],
    ['an array', [1, 2]],
    ['a string', 'text'],
  ])('rejects %s with an AuditDetailsError', (_name, value) => {
    expect(() => sanitizeDetails(value)).toThrow(AuditDetailsError);
  });
});

describe('looksLikeSecret', () => {
  it('tells a public UUID from a token or a token hash', () => {
    expect(looksLikeSecret('0f8f6a0c-3f59-4d6e-9b0f-6f1c7c1f2e3a')).toBe(false);
    expect(looksLikeSecret('q5Hn0l1tA7cD3fG9hJ2kL4mN6pR8sT0vW1xY3zB5c7E')).toBe(true);
    expect(looksLikeSecret('a'.repeat(64))).toBe(true);
  });
});
