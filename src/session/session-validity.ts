import type { SessionEpochs } from './session-cache.interface.js';
import type { ActiveSession } from './session.types.js';

/** The verdict on a presented session. */
export type SessionVerdict =
  | { status: 'valid'; reauth: null }
  | { status: 'valid'; reauth: 'permissions_changed' | 'suspicious_change' }
  | { status: 'expired'; why: 'idle' | 'absolute' }
  | { status: 'revoked' };

/**
 * Decides, from server-side state only, whether a session may be used at `now`: ended sessions,
 * sessions past either timeout and sessions covered by a revocation marker are refused; a session
 * issued under an older permission version, or held back by a theft signal's step-up
 * (`suspicious_change`, which wins), must re-authenticate.
 */
export function judgeSession(
  session: ActiveSession,
  revokedAt: number | null,
  epochs: SessionEpochs,
  now: number,
): SessionVerdict {
  if (revokedAt !== null) return { status: 'revoked' };
  if (session.createdAt <= epochs.revokedBefore) return { status: 'revoked' };
  if (now >= session.absoluteExpiresAt) return { status: 'expired', why: 'absolute' };
  if (now >= session.idleExpiresAt) return { status: 'expired', why: 'idle' };
  if ((session.suspiciousChangeAt ?? null) !== null) {
    return { status: 'valid', reauth: 'suspicious_change' };
  }
  if (session.authzVersion < epochs.authzVersion || session.reauthRequiredAt !== null) {
    return { status: 'valid', reauth: 'permissions_changed' };
  }
  return { status: 'valid', reauth: null };
}
