import fc from 'fast-check';
import type { PolicyContext, WhenBlock } from './policy.types.js';
import { compileWhen } from './when-compiler.js';
import { evaluateWhen, whenFailure, WhenEnv } from './when-evaluator.js';

const LEVELS = ['password', 'mfa'];
const NETWORKS = {
  internal: ['10.0.0.0/8', '127.0.0.1/32', '::1/128'],
  v6office: ['2001:db8:1234::/48'],
};
const NOW = Date.parse('2026-03-27T10:00:00Z'); // Friday 11:00 in Berlin
const context = (extra: Partial<PolicyContext> = {}): PolicyContext => ({
  now: NOW,
  ip: '10.1.2.3',
  country: 'DE',
  authLevel: 'password',
  sessionCreatedAt: NOW - 60_000,
  authenticatedAt: NOW - 60_000,
  ...extra,
});
const failure = (when: WhenBlock, extra: Partial<PolicyContext> = {}) =>
  whenFailure(compileWhen(when, NETWORKS, LEVELS), new WhenEnv(context(extra), LEVELS));

describe('when evaluation', () => {
  it.each<[string, WhenBlock, Partial<PolicyContext>, string | null]>([
    [
      'inside office hours',
      { hours: { days: 'Mon-Fri', from: '09:00', to: '18:00', tz: 'Europe/Berlin' } },
      {},
      null,
    ],
    [
      'on a Saturday',
      { hours: { days: 'Mon-Fri', from: '09:00', to: '18:00', tz: 'Europe/Berlin' } },
      { now: Date.parse('2026-03-28T10:00:00Z') },
      'outside_allowed_hours',
    ],
    ['before a date range', { dates: { from: '2026-04-01' } }, {}, 'outside_allowed_dates'],
    ['on the last day of a range', { dates: { to: '2026-03-27', tz: 'Europe/Berlin' } }, {}, null],
    [
      'the day after a range',
      { dates: { to: '2026-03-26', tz: 'Europe/Berlin' } },
      {},
      'outside_allowed_dates',
    ],
    [
      'at the exclusive end of a date-time range',
      { dates: { to: '2026-03-27T10:00Z' } },
      {},
      'outside_allowed_dates',
    ],
    ['on the internal network', { network: 'internal' }, {}, null],
    [
      'outside the internal network',
      { network: 'internal' },
      { ip: '192.0.2.1' },
      'network_not_allowed',
    ],
    ['with an unknown address', { network: 'internal' }, { ip: '' }, 'network_not_allowed'],
    ['on a mapped internal address', { network: 'internal' }, { ip: '::ffff:10.9.8.7' }, null],
    ['on IPv6 loopback', { network: ['internal'] }, { ip: '::1' }, null],
    ['on an inline v6 range', { network: ['2001:db8::/32'] }, { ip: '2001:db8:ffff::1' }, null],
    ['inside a notNetwork', { notNetwork: 'internal' }, {}, 'network_not_allowed'],
    ['outside a notNetwork', { notNetwork: 'internal' }, { ip: '192.0.2.1' }, null],
    [
      'notNetwork with an unknown address',
      { notNetwork: 'internal' },
      { ip: 'garbage' },
      'network_not_allowed',
    ],
    ['from an allowed country', { country: ['de', 'AT'] }, {}, null],
    ['from another country', { country: ['AT'] }, {}, 'country_not_allowed'],
    ['from an unknown country', { country: ['DE'] }, { country: null }, 'country_not_allowed'],
    ['from a blocked country', { notCountry: ['DE'] }, {}, 'country_not_allowed'],
    [
      'unknown country against a block list',
      { notCountry: ['RU'] },
      { country: null },
      'country_not_allowed',
    ],
    ['with a strong enough level', { authLevel: 'password' }, {}, null],
    ['with a weaker level', { authLevel: 'mfa' }, {}, 'insufficient_auth_level'],
    [
      'with an unknown level',
      { authLevel: 'password' },
      { authLevel: 'sms' },
      'insufficient_auth_level',
    ],
    ['without a level', { authLevel: 'password' }, { authLevel: null }, 'insufficient_auth_level'],
    ['in a young session', { maxSessionAge: '8h' }, {}, null],
    ['in an old session', { maxSessionAge: '30s' }, {}, 'session_too_old'],
    ['without a session', { maxSessionAge: '8h' }, { sessionCreatedAt: null }, 'session_too_old'],
    ['remembered: false in a standard session', { remembered: false }, { remembered: false }, null],
    [
      'remembered: false in a remembered session',
      { remembered: false },
      { remembered: true },
      'remembered_session',
    ],
    [
      'remembered: false without a session kind',
      { remembered: false },
      { remembered: null },
      'remembered_session',
    ],
    ['remembered: true in a remembered session', { remembered: true }, { remembered: true }, null],
    [
      'remembered: true in a standard session',
      { remembered: true },
      { remembered: false },
      'remembered_session',
    ],
    [
      'impersonated: false outside impersonation',
      { impersonated: false },
      { impersonated: false },
      null,
    ],
    [
      'impersonated: false while impersonating',
      { impersonated: false },
      { impersonated: true },
      'impersonation',
    ],
    [
      'impersonated: false without a session kind',
      { impersonated: false },
      { impersonated: null },
      'impersonation',
    ],
    [
      'impersonated: true while impersonating',
      { impersonated: true },
      { impersonated: true },
      null,
    ],
  ])('%s', (_name, when, extra, expected) => {
    expect(failure(when, extra)).toBe(expected);
  });

  it('explains a remembered-session denial in words', () => {
    const when = compileWhen({ remembered: false }, {}, LEVELS);
    expect(evaluateWhen(when, new WhenEnv(context({ remembered: true }), LEVELS))).toEqual({
      pass: false,
      reason: 'remembered_session',
      detail: 'not allowed in a remembered (remember-me) session: sign in without remember me',
    });
  });

  it('explains an impersonation denial in words', () => {
    const when = compileWhen({ impersonated: false }, {}, LEVELS);
    expect(evaluateWhen(when, new WhenEnv(context({ impersonated: true }), LEVELS))).toEqual({
      pass: false,
      reason: 'impersonation',
      detail: 'not allowed while an admin impersonates the user',
    });
  });

  it('requires every condition of a block', () => {
    const when: WhenBlock = { network: 'internal', country: ['DE'], authLevel: 'mfa' };
    expect(failure(when, { authLevel: 'mfa' })).toBeNull();
    expect(failure(when, { authLevel: 'mfa', country: 'FR' })).toBe('country_not_allowed');
  });

  it('explains a failure in words', () => {
    const when = compileWhen(
      { hours: { days: 'Mon-Fri', from: '09:00', to: '18:00', tz: 'Europe/Berlin' } },
      {},
      LEVELS,
    );
    const env = new WhenEnv(context({ now: Date.parse('2026-03-28T22:10:00Z') }), LEVELS);
    expect(evaluateWhen(when, env)).toEqual({
      pass: false,
      reason: 'outside_allowed_hours',
      detail: 'Sat 23:10 in Europe/Berlin is outside Mon-Fri 09:00-18:00',
    });
    expect(evaluateWhen(when, new WhenEnv(context(), LEVELS))).toEqual({ pass: true });
  });

  describe('named networks', () => {
    const toInt = (ip: string) => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);

    it('contain exactly the v4 addresses whose prefix matches, in plain and mapped form', () => {
      fc.assert(
        fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), fc.ipV4(), (base, bits, probe) => {
          const when = compileWhen({ network: 'office' }, { office: [`${base}/${bits}`] }, LEVELS);
          const shift = 32 - bits;
          const inside =
            bits === 0 ||
            Math.floor(toInt(base) / 2 ** shift) === Math.floor(toInt(probe) / 2 ** shift);
          for (const ip of [probe, `::ffff:${probe}`]) {
            expect(whenFailure(when, new WhenEnv(context({ ip }), LEVELS))).toBe(
              inside ? null : 'network_not_allowed',
            );
          }
        }),
      );
    });

    it('contain every v6 address under their prefix and none outside it', () => {
      const group = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
      fc.assert(
        fc.property(fc.array(group, { minLength: 5, maxLength: 5 }), group, (tail, third) => {
          const inside = `2001:db8:1234:${tail.join(':')}`;
          const other = `2001:db8:${third}:${tail.join(':')}`;
          const check = (ip: string) => failure({ network: 'v6office' }, { ip });
          expect(check(inside)).toBeNull();
          expect(check(other)).toBe(third === '1234' ? null : 'network_not_allowed');
        }),
      );
    });
  });
});
