import type { Request } from 'express';
import { requestState } from '../session/request-state.js';
import type { SessionEvent } from '../session/session-events.js';

/**
 * The audit event of a refused request: who (session, IP, user agent), which route, and why.
 *
 * @example await events.emit(denialEvent(request, 'access.denied', { code: 'session_expired' }));
 */
export function denialEvent(
  request: Request,
  type: string,
  details: Record<string, unknown>,
  target: { action?: string; resource?: string } = {},
): SessionEvent {
  const state = requestState(request);
  return {
    type,
    userId: state.session?.userId ?? null,
    sessionId: state.session?.id ?? null,
    ip: state.clientIp || null,
    userAgent: request.headers?.['user-agent'] ?? null,
    outcome: 'denied',
    action:
      target.action ?? `${request.method} ${request.route?.path ?? request.path ?? ''}`.trim(),
    ...(target.resource ? { resource: target.resource } : {}),
    details,
  };
}
