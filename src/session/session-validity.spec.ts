import fc from 'fast-check';
import { judgeSession } from './session-validity.js';
import type { ActiveSession } from './session.types.js';

const base: ActiveSession = {
  id: 's1',
  userId: 'u1',
  tenantId: null,
  roles: ['editor'],
  authzVersion: 2,
  createdAt: 1_000,
  lastSeenAt: 1_000,
  idleExpiresAt: 5_000,
  absoluteExpiresAt: 10_000,
  authenticatedAt: 1_000,
  authLevel: 'password',
  ip: null,
  userAgent: null,
  data: {},
  reauthRequiredAt: null,
  kind: 'standard',
  tokenIssuedAt: null,
  reauthenticatedAt: null,
  fingerprint: null,
  suspiciousChangeAt: null,
};
const calm = { revokedBefore: 0, authzVersion: 2 };

describe('judgeSession', () => {
  it('accepts a live session', () => {
    expect(judgeSession(base, null, calm, 2_000)).toEqual({ status: 'valid', reauth: null });
  });

  it('refuses an ended session', () => {
    expect(judgeSession(base, 1_500, calm, 2_000).status).toBe('revoked');
  });

  it('refuses a session covered by a revocation marker, including one issued in the same ms', () => {
    expect(judgeSession(base, null, { ...calm, revokedBefore: 1_000 }, 2_000).status).toBe(
      'revoked',
    );
    expect(judgeSession(base, null, { ...calm, revokedBefore: 999 }, 2_000).status).toBe('valid');
  });

  it('expires at the idle and at the absolute deadline', () => {
    expect(judgeSession(base, null, calm, 5_000)).toEqual({ status: 'expired', why: 'idle' });
    const busy = { ...base, idleExpiresAt: 20_000 };
    expect(judgeSession(busy, null, calm, 10_000)).toEqual({ status: 'expired', why: 'absolute' });
  });

  it('asks for re-authentication when the permission version moved on', () => {
    expect(judgeSession(base, null, { ...calm, authzVersion: 3 }, 2_000)).toEqual({
      status: 'valid',
      reauth: 'permissions_changed',
    });
  });

  it('holds a session a theft signal stepped up, ahead of a permission change', () => {
    const held = { ...base, suspiciousChangeAt: 1_500 };
    expect(judgeSession(held, null, { ...calm, authzVersion: 3 }, 2_000)).toEqual({
      status: 'valid',
      reauth: 'suspicious_change',
    });
    expect(judgeSession(held, 1_600, calm, 2_000).status).toBe('revoked');
  });

  it('never accepts a session at or after either deadline', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20_000 }), (now) => {
        const verdict = judgeSession(base, null, calm, now);
        if (now >= base.idleExpiresAt) expect(verdict.status).toBe('expired');
        else expect(verdict.status).toBe('valid');
      }),
    );
  });
});
