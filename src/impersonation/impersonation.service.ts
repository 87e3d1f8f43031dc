import { Inject, Injectable } from '@nestjs/common';
import { RESOLVED_OPTIONS } from '../common/tokens.js';
import {
  ForbiddenException,
  InvalidRequestException,
} from '../errors/session-security.exception.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import { SessionEvents } from '../session/session-events.js';
import { SessionService, type IssuedSession } from '../session/session.service.js';
import type { ActiveSession, SessionPrincipal } from '../session/session.types.js';
import { checkImpersonationRequest } from './impersonation-request.js';

/** `revokedReason` of an impersonation session its impersonator ended. */
export const IMPERSONATION_ENDED_REASON = 'impersonation_ended';

/** Where the impersonator's request came from, recorded with the new session. */
export interface ImpersonationOrigin {
  ip?: string | null;
  userAgent?: string | null;
}

/**
 * Governed impersonation: an admin acts as a user in a separate session (`kind:
 * 'impersonation'`) that names them (`impersonatedBy`), lasts at most the duration asked for
 * (bounded by `session.impersonation.maxDuration`), never counts as fresh authentication, and
 * ends when they end it. Who may start one is the app's policy (put the route under
 * `@RequireFreshAuth()` and an admin permission); this service refuses what no policy should
 * allow: starting from an impersonation session (no chains), impersonating oneself, a missing
 * reason and a bad duration.
 *
 * @example
 * const issued = await impersonation.start(adminSession, user, { reason, duration: '15m' });
 * // set issued.token as the session cookie; the user gets an `impersonation_started` notice
 */
@Injectable()
export class ImpersonationService {
  constructor(
    private readonly sessions: SessionService,
    private readonly events: SessionEvents,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
  ) {}

  /**
   * Starts an impersonation session of `target` for the holder of `actor`. The admin's own
   * session is untouched.
   *
   * @throws ForbiddenException (403 `forbidden`, reason `impersonation`) from an impersonation session
   * @throws InvalidRequestException (400) for oneself, or a bad `reason` / `duration`
   * @throws AccountDisabledError for a disabled user
   */
  async start(
    actor: ActiveSession,
    target: SessionPrincipal,
    request: { reason?: unknown; duration?: unknown },
    origin: ImpersonationOrigin = {},
  ): Promise<IssuedSession> {
    if (actor.kind === 'impersonation') {
      throw new ForbiddenException(
        'impersonation',
        'An impersonation session cannot start another impersonation',
      );
    }
    const maxDurationMs = this.options.session.impersonation.maxDurationMs;
    const { reason, durationMs } = checkImpersonationRequest(request, maxDurationMs);
    if (String(target.id) === actor.userId) {
      throw new InvalidRequestException('id: you cannot impersonate yourself');
    }
    const issued = await this.sessions.create(target, {
      kind: 'impersonation',
      impersonatedBy: { userId: actor.userId, sessionId: actor.id, reason },
      lifetimeMs: durationMs,
      ip: origin.ip ?? null,
      userAgent: origin.userAgent ?? null,
    });
    await this.events.emit({
      type: 'impersonation.started',
      userId: issued.session.userId,
      sessionId: issued.session.id,
      actor: actor.userId,
      ip: origin.ip ?? null,
      userAgent: origin.userAgent ?? null,
      outcome: 'success',
      details: {
        impersonatorSessionId: actor.id,
        reason,
        durationMs,
        expiresAt: issued.session.absoluteExpiresAt,
      },
    });
    return issued;
  }

  /**
   * Ends the impersonation session `session` (whose token hash is `tokenHash`) on every
   * instance; `false` when it is no impersonation session (nothing is ended).
   *
   * @example if (!(await impersonation.end(session, tokenHash))) throw new BadRequestException();
   */
  async end(session: ActiveSession, tokenHash: string): Promise<boolean> {
    const by = session.impersonatedBy;
    if (session.kind !== 'impersonation' || !by) return false;
    await this.sessions.end(tokenHash, IMPERSONATION_ENDED_REASON, by.userId);
    await this.events.emit({
      type: 'impersonation.ended',
      userId: session.userId,
      sessionId: session.id,
      actor: by.userId,
      outcome: 'success',
      details: { impersonatorSessionId: by.sessionId, reason: by.reason },
    });
    return true;
  }
}
