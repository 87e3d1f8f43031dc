import fc from 'fast-check';
import { decideSessionLimit, sessionLimitFor, type SessionLimit } from './session-limit.js';

const limit = (l: Partial<SessionLimit>): SessionLimit => ({
  maxSessions: null,
  perRole: {},
  policy: 'end-oldest',
  ...l,
});
const session = (id: string, createdAt: number) => ({ id, createdAt });

describe('sessionLimitFor', () => {
  it('is no limit without options or without a limit that applies', () => {
    expect(sessionLimitFor(['admin'], null)).toBeNull();
    expect(sessionLimitFor(['viewer'], limit({ perRole: { admin: 2 } }))).toBeNull();
  });

  it('takes the smallest of maxSessions and every role limit of the user', () => {
    const l = limit({ maxSessions: 5, perRole: { admin: 2, editor: 3, viewer: 9 } });
    expect(sessionLimitFor(['viewer'], l)).toBe(5);
    expect(sessionLimitFor(['editor', 'viewer'], l)).toBe(3);
    expect(sessionLimitFor(['editor', 'admin'], l)).toBe(2);
    expect(sessionLimitFor([], l)).toBe(5);
  });

  it('ignores inherited object keys as role names', () => {
    expect(sessionLimitFor(['constructor', 'toString'], limit({ maxSessions: 4 }))).toBe(4);
  });
});

describe('decideSessionLimit', () => {
  it('allows a sign-in below the limit and ends nothing', () => {
    expect(decideSessionLimit([session('a', 1)], 2, 'refuse-new')).toEqual({
      allowed: true,
      end: [],
    });
  });

  it('refuses a sign-in at the limit under refuse-new', () => {
    const live = [session('a', 1), session('b', 2)];
    expect(decideSessionLimit(live, 2, 'refuse-new')).toEqual({ allowed: false, liveSessions: 2 });
  });

  it('ends the oldest sessions under end-oldest, whatever order they come in', () => {
    const live = [session('c', 30), session('a', 10), session('b', 20)];
    expect(decideSessionLimit(live, 2, 'end-oldest')).toEqual({
      allowed: true,
      end: [session('a', 10), session('b', 20)],
    });
  });

  it('never leaves more than the limit alive, with the new session counted', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(1000), { maxLength: 30 }),
        fc.integer({ min: 1, max: 10 }),
        (times, max) => {
          const live = times.map((t, i) => session(`s${i}`, t));
          const decision = decideSessionLimit(live, max, 'end-oldest');
          if (!decision.allowed) return false;
          const kept = live.filter((s) => !decision.end.includes(s));
          const newestEnded = Math.max(...decision.end.map((s) => s.createdAt));
          return (
            kept.length + 1 <= max &&
            kept.length + 1 === Math.min(max, live.length + 1) &&
            kept.every((s) => decision.end.length === 0 || s.createdAt >= newestEnded)
          );
        },
      ),
    );
  });
});
