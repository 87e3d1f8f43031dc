import type { SessionEvent, SessionEventType } from '../events/session-event.types.js';
import type { LiveSignal } from './live-signal.js';

/** What each event type asks of the live connections: which of them to re-check, if any. */
const SIGNAL_SCOPE: Record<SessionEventType, 'session' | 'user' | 'all' | null> = {
  logout: 'session',
  'session.revoked': 'session',
  'session.expired': 'session',
  'session.rotated': 'session',
  // A step-up is signalled below; an `end` raises `session.revoked`, a `record` ends nothing.
  'session.signal_changed': null,
  'permissions.changed': 'user',
  'user.disabled': 'user',
  'password.changed': 'user',
  // Its markers can match any session.
  'revocation.started': 'all',
  'login.succeeded': null,
  'login.failed': null,
  'login.throttled': null,
  'session.created': null,
  // The sessions they end raise `session.revoked` each.
  'session.limit_enforced': null,
  'session.limit_refused': null,
  'session.reported': null,
  'session.replay_detected': null,
  // The impersonation session's end raises `session.revoked`.
  'impersonation.started': null,
  'impersonation.ended': null,
  'session.reauthenticated': null,
  // The permission change itself already signalled the user's connections.
  'permissions.reauth_marked': null,
  'user.enabled': null,
  'revocation.batch': null,
  'revocation.finished': null,
  'access.denied': null,
  'policy.denied': null,
  'csrf.rejected': null,
  // The permission changes it forces signal the users' connections themselves.
  'policy.changed': null,
  'policy.reviewed': null,
};

/**
 * The live-connection signal a session event calls for, if any: the session that ended or had
 * its token rotated or a theft signal held for step-up, the user whose permissions changed or who
 * was disabled, or every connection after a bulk revocation (its markers can match any session).
 *
 * @example liveSignalFor({ type: 'logout', sessionId: 's-1', details: { reason: 'logout' } }) // { scope: 'session', value: 's-1' }
 */
export function liveSignalFor(event: SessionEvent): LiveSignal | null {
  // A theft signal's step-up denies the request that caused it and holds the whole session.
  if (event.type === 'session.signal_changed') {
    return event.details.decision === 'step-up' && event.sessionId
      ? { scope: 'session', value: event.sessionId }
      : null;
  }
  if (event.outcome === 'denied' || event.outcome === 'failure') return null;
  const scope = SIGNAL_SCOPE[event.type];
  if (scope === 'session') return event.sessionId ? { scope, value: event.sessionId } : null;
  if (scope === 'user') return event.userId ? { scope, value: event.userId } : null;
  if (scope === 'all') return { scope };
  return null;
}
