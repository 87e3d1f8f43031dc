import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { SESSION_SECURITY_DATA_SOURCE } from '../common/tokens.js';
import { SessionRecords } from '../session/session-records.js';
import { SessionEvents, type SessionEvent } from '../session/session-events.js';
import { TOKEN_REPLAYED_REASON } from '../session/session-kind.js';
import { SESSION_LIMIT_REASON } from '../session/session-limit.js';
import { detectNewSignIn } from './new-sign-in.detector.js';
import { NotificationTypes } from './notification-types.js';
import { NotificationService } from './notification.service.js';

/** How many of the user's newest earlier sessions a sign-in is compared with. */
const SIGN_IN_HISTORY = 50;

/**
 * Turns session events into notifications: `session.revoked` → `session_revoked` (with a
 * message for a session ended by the concurrent-session limit),
 * `session.replay_detected` → `session_theft_detected` (a remembered token came back after it
 * rotated: its session ended),
 * `password.changed` → `password_changed`, `impersonation.started` → `impersonation_started`
 * (who acts as the user, why, until when), and `session.created` → `new_sign_in` when
 * {@link detectNewSignIn} says the device or network is new (its payload carries the
 * `report_session` action, "this wasn't me"). Dedupe keys come from the event
 * (session id, `details.changeId`), so an event emitted twice notifies once. (`reauth_required`
 * comes from the permission-change job, once per change.)
 *
 * @example
 * providers: [...notificationProviders(opts)] // includes it; needs SessionEvents in the module
 */
@Injectable()
export class NotificationSubscriber implements OnModuleInit {
  private readonly logger = new Logger('SessionSecurityNotifications');
  private readonly records: SessionRecords;

  constructor(
    private readonly events: SessionEvents,
    private readonly notifications: NotificationService,
    // `notificationProviders()` is also used outside SessionSecurityModule: it needs only the
    // DataSource, so the session rows' adapter is built on it here rather than injected.
    @Inject(SESSION_SECURITY_DATA_SOURCE) dataSource: DataSource,
  ) {
    this.records = new SessionRecords(dataSource);
  }

  onModuleInit(): void {
    this.events.on((event) => this.handle(event));
  }

  /** Notifies for one event, if it is one users are told about. */
  async handle(event: SessionEvent): Promise<void> {
    const { userId, sessionId } = event;
    if (!userId) return;
    switch (event.type) {
      case 'session.revoked':
        // A replay is told once, by the `session_theft_detected` notice below.
        if (!sessionId || event.details.reason === TOKEN_REPLAYED_REASON) return;
        await this.notifications.notify(
          userId,
          NotificationTypes.sessionRevoked,
          revokedPayload(sessionId, event.details),
          { dedupeKey: `session:${sessionId}` },
        );
        return;
      case 'password.changed': {
        const changeId = event.details?.changeId;
        await this.notifications.notify(
          userId,
          NotificationTypes.passwordChanged,
          { sessionId: sessionId ?? null, ip: event.ip ?? null },
          typeof changeId === 'string' ? { dedupeKey: `password:${changeId}` } : {},
        );
        return;
      }
      case 'session.created':
        // An impersonation is told by its own notice, which the user cannot "report" away.
        if (sessionId && event.details?.kind !== 'impersonation') {
          await this.signIn(userId, sessionId, event);
        }
        return;
      case 'impersonation.started':
        if (!sessionId) return;
        await this.notifications.notify(
          userId,
          NotificationTypes.impersonationStarted,
          {
            sessionId,
            impersonatorId: event.actor ?? null,
            reason: event.details.reason,
            expiresAt: event.details.expiresAt,
            message:
              'A member of the support staff is acting as you, for the reason given, until the ' +
              'time shown. Everything they do is recorded with their name.',
          },
          { dedupeKey: `impersonation:${sessionId}` },
        );
        return;
      case 'session.replay_detected':
        if (!sessionId) return;
        await this.notifications.notify(
          userId,
          NotificationTypes.sessionTheftDetected,
          {
            sessionId,
            reason: TOKEN_REPLAYED_REASON,
            ip: event.ip ?? null,
            userAgent: event.userAgent ?? null,
            message:
              'A remembered sign-in of yours was used from two places, so it was signed out. ' +
              'If you did not expect this, change your password.',
          },
          { dedupeKey: `replay:${sessionId}` },
        );
        return;
      // Notified by the job that does their bookkeeping (forced re-auth, bulk revocation) or not at all.
      case 'login.succeeded':
      case 'login.failed':
      case 'login.throttled':
      case 'logout':
      case 'session.rotated':
      case 'session.limit_enforced':
      case 'session.limit_refused':
      case 'session.reported':
      case 'impersonation.ended':
      case 'session.expired':
      case 'session.reauthenticated':
      case 'session.signal_changed':
      case 'permissions.changed':
      case 'permissions.reauth_marked':
      case 'user.disabled':
      case 'user.enabled':
      case 'revocation.started':
      case 'revocation.batch':
      case 'revocation.finished':
      case 'access.denied':
      case 'policy.denied':
      case 'csrf.rejected':
      case 'policy.changed':
      case 'policy.reviewed':
        return;
      default:
        return unhandled(event);
    }
  }

  private async signIn(userId: string, sessionId: string, event: SessionEvent): Promise<void> {
    const previous = await this.records.recentSignIns(userId, sessionId, SIGN_IN_HISTORY);
    const verdict = detectNewSignIn({ ip: event.ip, userAgent: event.userAgent }, previous);
    if (!verdict.isNew) return;
    this.logger.debug?.(`new sign-in for ${userId}: ${verdict.reason}`);
    await this.notifications.notify(
      userId,
      NotificationTypes.newSignIn,
      {
        sessionId,
        ip: event.ip ?? null,
        userAgent: event.userAgent ?? null,
        reason: verdict.reason,
        // "This wasn't me": what the app calls (from any of the user's sessions) to end it.
        actions: [{ action: 'report_session', sessionId }],
      },
      { dedupeKey: `sign-in:${sessionId}` },
    );
  }
}

/**
 * The `session_revoked` payload; a session ended by the concurrent-session limit says so in
 * words the user can act on ("you were signed out because you signed in elsewhere").
 */
function revokedPayload(
  sessionId: string,
  details: { reason: string; replacedBy?: string },
): Record<string, unknown> {
  if (details.reason !== SESSION_LIMIT_REASON) return { sessionId, reason: details.reason ?? null };
  return {
    sessionId,
    reason: SESSION_LIMIT_REASON,
    replacedBy: details.replacedBy ?? null,
    message: 'You were signed out because you signed in elsewhere',
  };
}

/** Fails to compile when an event type has no case above. */
function unhandled(event: never): void {
  void event;
}
