import type { SessionEvent } from '../session/session-events.js';
import type { LiveSignal } from './live-signal.js';

const SESSION_ENDING = new Set([
  'logout',
  'session.revoked',
  'session.expired',
  'session.rotated',
  'session.reported',
]);
const USER_ENDING = new Set(['permissions.changed', 'user.disabled', 'password.changed']);
const EVERYONE = new Set(['revocation.started']);

/**
 * The live-connection signal a session event calls for, if any: the session that ended or had
 * its token rotated, the user whose permissions changed or who was disabled, or every connection
 * after a bulk revocation (its markers can match any session).
 *
 * @example liveSignalFor({ type: 'logout', sessionId: 's-1' }) // { scope: 'session', value: 's-1' }
 */
export function liveSignalFor(event: SessionEvent): LiveSignal | null {
  if (event.outcome === 'denied' || event.outcome === 'failure') return null;
  if (SESSION_ENDING.has(event.type) && event.sessionId) {
    return { scope: 'session', value: event.sessionId };
  }
  if (USER_ENDING.has(event.type) && event.userId) return { scope: 'user', value: event.userId };
  if (EVERYONE.has(event.type)) return { scope: 'all' };
  return null;
}
