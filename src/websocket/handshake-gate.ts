import type { INestApplicationContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { RESOLVED_OPTIONS } from '../common/tokens.js';
import { isSameOrigin } from '../csrf/same-origin.js';
import { denialEvent } from '../http/denial-event.js';
import { LiveConnections } from '../live/live-connections.service.js';
import type { LiveConnectionEnd } from '../live/live-connection.types.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import { requestState } from '../session/request-state.js';
import { readSessionCookie } from '../session/session-cookie.js';
import { SessionEvents } from '../session/session-events.js';
import { SessionService } from '../session/session.service.js';
import type { ActiveSession } from '../session/session.types.js';
import type { GuardedCall } from '../surfaces/guarded-call.js';

/** A handshake let through: the session it opens a connection for. */
export interface AcceptedHandshake {
  ok: true;
  session: ActiveSession;
  tokenHash: string;
}

/** A handshake refused: 401 (no valid session) or 403 (cross-site origin), and why. */
export interface RefusedHandshake {
  ok: false;
  status: 401 | 403;
  code: string;
  reason?: string;
}

/**
 * Judges a WebSocket handshake as the guards judge a request: an allowed `Origin` (this host or
 * `csrf.allowedOrigins`; cross-site WebSocket hijacking is refused), then a valid session from the
 * cookie (or a bearer header when enabled) that needs no re-authentication. Refusals are audited.
 */
export class HandshakeGate {
  private readonly options: ResolvedOptions;
  private readonly sessions: SessionService;
  private readonly events: SessionEvents;
  /** The module's live-connection registry. */
  readonly live: LiveConnections;

  constructor(app: INestApplicationContext) {
    this.options = app.get(RESOLVED_OPTIONS, { strict: false });
    this.sessions = app.get(SessionService, { strict: false });
    this.events = app.get(SessionEvents, { strict: false });
    this.live = app.get(LiveConnections, { strict: false });
  }

  /** Whether the upgrade request may open a connection. */
  async judge(request: IncomingMessage): Promise<AcceptedHandshake | RefusedHandshake> {
    const headers = request.headers ?? {};
    if (!isSameOrigin(headers, this.options.csrf.allowedOrigins, 'websocket')) {
      return this.refuse(request, { ok: false, status: 403, code: 'csrf_rejected' });
    }
    const token = this.tokenOf(request);
    if (!token) return this.refuse(request, { ok: false, status: 401, code: 'session_required' });
    const result = await this.sessions.validate(token);
    if (!result.ok) return this.refuse(request, { ok: false, status: 401, code: result.code });
    requestState(request).session = result.session;
    if (result.reauth) {
      return this.refuse(request, {
        ok: false,
        status: 401,
        code: 'reauth_required',
        reason: result.reauth,
      });
    }
    return { ok: true, session: result.session, tokenHash: result.tokenHash };
  }

  /** Registers an accepted connection; `end` is called once when its session ends. */
  register(accepted: AcceptedHandshake, kind: string, end: (why: LiveConnectionEnd) => void) {
    const { session, tokenHash } = accepted;
    return this.live.register({
      sessionId: session.id,
      userId: session.userId,
      tenantId: session.tenantId ?? null,
      roles: session.roles,
      tokenHash,
      kind,
      end,
    });
  }

  private tokenOf(request: IncomingMessage): string | null {
    const cookie = request.headers.cookie;
    const fromCookie = readSessionCookie(cookie, this.options.cookie.name);
    if (fromCookie) return fromCookie;
    const header = request.headers.authorization;
    if (this.options.allowBearer && header?.startsWith('Bearer ') && header.length < 256) {
      return header.slice(7).trim();
    }
    return null;
  }

  private async refuse(request: IncomingMessage, refusal: RefusedHandshake) {
    const call: GuardedCall = {
      type: 'ws',
      carrier: request,
      request,
      headers: request.headers ?? {},
      method: 'GET',
      unsafe: true,
      peerAddress: request.socket?.remoteAddress,
      action: `ws handshake ${(request.url ?? '').split('?')[0]}`,
      response: null,
      args: [],
    };
    const details = { code: refusal.code, ...(refusal.reason ? { reason: refusal.reason } : {}) };
    await this.events.emit(
      refusal.code === 'csrf_rejected'
        ? denialEvent(call, 'csrf.rejected', details)
        : denialEvent(call, 'access.denied', details),
    );
    return refusal;
  }
}

/** The JSON body of a refusal, in the module's error shape. */
export function refusalBody(refusal: RefusedHandshake | (LiveConnectionEnd & { status?: number })) {
  return {
    statusCode: refusal.status ?? 401,
    error: refusal.code,
    message: MESSAGES[refusal.code] ?? 'The session ended',
    ...(refusal.reason ? { reason: refusal.reason } : {}),
  };
}

const MESSAGES: Record<string, string> = {
  csrf_rejected: 'Cross-site WebSocket connections are refused',
  session_required: 'A valid session is required',
  session_expired: 'The session has expired',
  session_revoked: 'The session has been revoked',
  reauth_required: 'Re-authentication is required',
};
