import { requestState } from '../session/request-state.js';
import type {
  DenialEventType,
  SessionEventDetails,
  SessionEventOf,
} from '../events/session-event.types.js';
import type { GuardedCall } from '../surfaces/guarded-call.js';

/**
 * The audit event of a refused call: who (session, IP, user agent), what (route, GraphQL field,
 * WebSocket event or RPC pattern), and why. Calls off HTTP name their surface in `details`.
 *
 * @example await events.emit(denialEvent(call, 'access.denied', { code: 'session_expired' }));
 */
export function denialEvent<T extends DenialEventType>(
  call: GuardedCall | null,
  type: T,
  details: SessionEventDetails[T],
  target: { action?: string; resource?: string } = {},
): SessionEventOf<T> {
  const state = call ? requestState(call.carrier) : undefined;
  const agent = call?.headers['user-agent'];
  return {
    type,
    userId: state?.session?.userId ?? null,
    sessionId: state?.session?.id ?? null,
    ip: state?.clientIp || null,
    userAgent: typeof agent === 'string' ? agent : null,
    outcome: 'denied',
    action: target.action ?? call?.action ?? 'unknown surface',
    ...(target.resource ? { resource: target.resource } : {}),
    details: call?.type === 'http' ? details : { ...details, surface: call?.type ?? 'unknown' },
  };
}
