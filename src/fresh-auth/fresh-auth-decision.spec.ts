import fc from 'fast-check';
import { decideFreshAuth, FreshAuthConfigurationError } from './fresh-auth-decision.js';

const LEVELS = ['password', 'mfa'];
const T0 = 1_750_000_000_000;
const MINUTE = 60_000;

describe('decideFreshAuth', () => {
  it.each([
    ['password', undefined, 1, { ok: true }],
    ['password', undefined, 6, { ok: false, reason: 'stale_authentication', maxAge: 5 * MINUTE }],
    ['password', 'password', 1, { ok: true }],
    ['mfa', 'password', 1, { ok: true }],
    ['mfa', 'mfa', 1, { ok: true }],
    [
      'password',
      'mfa',
      1,
      { ok: false, reason: 'insufficient_level', maxAge: 5 * MINUTE, level: 'mfa' },
    ],
    [
      'password',
      'mfa',
      6,
      { ok: false, reason: 'insufficient_level', maxAge: 5 * MINUTE, level: 'mfa' },
    ],
    [
      'mfa',
      'mfa',
      6,
      { ok: false, reason: 'stale_authentication', maxAge: 5 * MINUTE, level: 'mfa' },
    ],
    ['webauthn', undefined, 1, { ok: true }],
    [
      'webauthn',
      'password',
      1,
      { ok: false, reason: 'insufficient_level', maxAge: 5 * MINUTE, level: 'password' },
    ],
  ])(
    'session level %p, required level %p, authenticated %p min ago → %p',
    (authLevel, level, minutesAgo, expected) => {
      const decision = decideFreshAuth(
        { authenticatedAt: T0, authLevel },
        { maxAgeMs: 5 * MINUTE, level },
        T0 + minutesAgo * MINUTE,
        LEVELS,
      );
      expect(decision).toEqual(expected);
    },
  );

  it('treats exactly maxAge as fresh and one millisecond more as stale', () => {
    const session = { authenticatedAt: T0, authLevel: 'password' };
    const requirement = { maxAgeMs: 5 * MINUTE };
    expect(decideFreshAuth(session, requirement, T0 + 5 * MINUTE, LEVELS)).toEqual({ ok: true });
    expect(decideFreshAuth(session, requirement, T0 + 5 * MINUTE + 1, LEVELS)).toMatchObject({
      ok: false,
      reason: 'stale_authentication',
    });
  });

  it('denies a session whose authentication time is unknown', () => {
    const decision = decideFreshAuth(
      { authenticatedAt: Number.NaN, authLevel: 'mfa' },
      { maxAgeMs: MINUTE },
      T0,
      LEVELS,
    );
    expect(decision).toMatchObject({ ok: false, reason: 'stale_authentication' });
  });

  it('throws a configuration error naming the unknown required level and the known ones', () => {
    const decide = () =>
      decideFreshAuth(
        { authenticatedAt: T0, authLevel: 'mfa' },
        { maxAgeMs: MINUTE, level: 'mfaa' },
        T0,
        LEVELS,
      );
    expect(decide).toThrow(FreshAuthConfigurationError);
    expect(decide).toThrow(/unknown level 'mfaa'.*'password', 'mfa'/);
  });

  it.each([0, -1, Number.NaN, Infinity])('throws for a maximum age of %p', (maxAgeMs) => {
    expect(() =>
      decideFreshAuth({ authenticatedAt: T0, authLevel: 'mfa' }, { maxAgeMs }, T0, LEVELS),
    ).toThrow(FreshAuthConfigurationError);
  });

  it('once stale, stays stale at every later time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 42 }),
        fc.integer({ min: 1, max: 30 * 24 * 60 * MINUTE }),
        fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.constantFrom(undefined, 'password', 'mfa'),
        fc.constantFrom('password', 'mfa', 'unknown'),
        (authenticatedAt, maxAgeMs, offset, later, level, authLevel) => {
          const decide = (now: number) =>
            decideFreshAuth({ authenticatedAt, authLevel }, { maxAgeMs, level }, now, LEVELS);
          const now = authenticatedAt + offset;
          const before = decide(now);
          const after = decide(now + later);
          if (!before.ok) expect(after).toEqual(before);
        },
      ),
    );
  });

  it('never lets a weaker session level through a level requirement, however fresh', () => {
    const levels = ['password', 'otp', 'webauthn'];
    fc.assert(
      fc.property(
        fc.constantFrom(...levels, 'unknown'),
        fc.constantFrom(...levels),
        fc.integer({ min: 0, max: MINUTE }),
        (authLevel, level, age) => {
          const decision = decideFreshAuth(
            { authenticatedAt: T0, authLevel },
            { maxAgeMs: MINUTE, level },
            T0 + age,
            levels,
          );
          expect(decision.ok).toBe(levels.indexOf(authLevel) >= levels.indexOf(level));
        },
      ),
    );
  });

  describe('a remembered session', () => {
    const remembered = (reauthenticatedAt: number | null) => ({
      kind: 'remembered' as const,
      authenticatedAt: T0,
      authLevel: 'password',
      reauthenticatedAt,
    });

    it('is never fresh through its sign-in, however recent', () => {
      expect(decideFreshAuth(remembered(null), { maxAgeMs: 5 * MINUTE }, T0, LEVELS)).toEqual({
        ok: false,
        reason: 'stale_authentication',
        maxAge: 5 * MINUTE,
      });
    });

    it('is fresh after a re-authentication made in it, for the maximum age', () => {
      const session = remembered(T0 + MINUTE);
      const requirement = { maxAgeMs: 5 * MINUTE };
      expect(decideFreshAuth(session, requirement, T0 + 2 * MINUTE, LEVELS)).toEqual({ ok: true });
      expect(decideFreshAuth(session, requirement, T0 + 7 * MINUTE, LEVELS)).toMatchObject({
        ok: false,
        reason: 'stale_authentication',
      });
    });

    it('for any sign-in time and maximum age, is fresh only through a re-authentication', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 10 * MINUTE }),
          fc.integer({ min: 1 }),
          (age, max) => {
            const now = T0 + age;
            expect(decideFreshAuth(remembered(null), { maxAgeMs: max }, now, LEVELS).ok).toBe(
              false,
            );
            expect(decideFreshAuth(remembered(T0), { maxAgeMs: max }, now, LEVELS).ok).toBe(
              age <= max,
            );
          },
        ),
      );
    });
  });

  describe('an impersonation session', () => {
    it('is never fresh, neither through its start nor through a re-authentication in it', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 10 * MINUTE }),
          fc.integer({ min: 1, max: 10 * MINUTE }),
          (age, max) => {
            const session = {
              kind: 'impersonation' as const,
              authenticatedAt: T0,
              authLevel: 'mfa',
              reauthenticatedAt: T0,
            };
            expect(decideFreshAuth(session, { maxAgeMs: max }, T0 + age, LEVELS)).toEqual({
              ok: false,
              reason: 'stale_authentication',
              maxAge: max,
            });
          },
        ),
      );
    });
  });
});
