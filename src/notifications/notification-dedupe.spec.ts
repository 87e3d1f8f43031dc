import fc from 'fast-check';
import { notificationDedupeKey } from './notification-dedupe.js';

describe('notificationDedupeKey', () => {
  it('gives the same key for the same user, type and caller key', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (user, type, key) => {
        expect(notificationDedupeKey(user, type, key)).toBe(notificationDedupeKey(user, type, key));
      }),
    );
  });

  it('keeps the key of one user or type from suppressing another', () => {
    const key = notificationDedupeKey('u-1', 'session_revoked', 'evt-1');
    expect(notificationDedupeKey('u-2', 'session_revoked', 'evt-1')).not.toBe(key);
    expect(notificationDedupeKey('u-1', 'new_sign_in', 'evt-1')).not.toBe(key);
    expect(notificationDedupeKey('u-1', 'session_revoked', 'evt-2')).not.toBe(key);
  });

  it('cannot be made to collide by moving a separator between the parts', () => {
    expect(notificationDedupeKey('u:1', 'a', 'b')).not.toBe(notificationDedupeKey('u', '1:a', 'b'));
    expect(notificationDedupeKey('u', 'a:b', '')).not.toBe(notificationDedupeKey('u', 'a', 'b'));
  });

  it('never repeats without a caller key', () => {
    const keys = new Set(Array.from({ length: 200 }, () => notificationDedupeKey('u', 't')));
    expect(keys.size).toBe(200);
  });

  it('fits the 64-character column', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 5000 }), (key) => {
        expect(notificationDedupeKey('u', 't', key)).toMatch(/^[0-9a-f]{64}$/);
      }),
    );
  });
});
