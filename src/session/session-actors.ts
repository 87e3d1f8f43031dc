import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { SESSION_SECURITY_DATA_SOURCE } from '../common/tokens.js';
import { SessionEntity } from './session.entity.js';
import { impersonatorOf } from './session.mapper.js';
import type { Impersonator } from './session.types.js';

/** Sessions whose impersonator (or its absence) is remembered; the oldest answer goes first. */
const REMEMBERED = 10_000;

/** An event as far as the actor chain goes: whose it is, in which session, done by whom. */
export interface ActorFields {
  type: string;
  userId?: string | null;
  sessionId?: string | null;
  actor?: string | null;
  details?: unknown;
}

/**
 * Who acts in a session: the user, or — in an impersonation session — the impersonator as the
 * user. A session's impersonator is fixed when the session starts and never changes, so the
 * answer of each session id is kept (bounded) and asked of the database once per instance.
 *
 * @example
 * const named = await actors.name({ type: 'policy.denied', sessionId, userId, details });
 * // in an impersonation session: actor = the admin, details.impersonatedBy = the admin
 */
@Injectable()
export class SessionActors {
  private readonly known = new Map<string, Impersonator | null>();

  constructor(@Inject(SESSION_SECURITY_DATA_SOURCE) private readonly dataSource: DataSource) {}

  /** The impersonator of session `sessionId`, or `null` when it is no impersonation session. */
  async impersonatorOf(sessionId: string): Promise<Impersonator | null> {
    if (this.known.has(sessionId)) return this.known.get(sessionId)!;
    const row = await this.dataSource.getRepository(SessionEntity).findOne({
      select: {
        id: true,
        impersonatorId: true,
        impersonatorSessionId: true,
        impersonationReason: true,
      },
      where: { id: sessionId },
    });
    if (!row) return null; // not stored (yet): nothing to remember
    const found = impersonatorOf(row);
    if (this.known.size >= REMEMBERED) this.known.delete(this.known.keys().next().value!);
    this.known.set(sessionId, found);
    return found;
  }

  /**
   * The event with both actors named when it happened in an impersonation session: `actor`
   * becomes the impersonator where it is missing or is the user acting in the session, and
   * `details.impersonatedBy` / `details.impersonatorSessionId` are set. Another actor stays, and
   * so does the user as the actor of `session.revoked`: a session is only ended from another one
   * (an admin's, or the user's own, ending the impersonation), never from itself (that is
   * `logout`). Any other event is returned as it is.
   */
  async name<T extends ActorFields>(event: T): Promise<T> {
    if (!event.sessionId) return event;
    const by = await this.impersonatorOf(event.sessionId);
    if (!by) return event;
    const details =
      event.details && typeof event.details === 'object' ? (event.details as object) : {};
    return {
      ...event,
      actor: actsInSession(event) ? by.userId : event.actor,
      details: { ...details, impersonatedBy: by.userId, impersonatorSessionId: by.sessionId },
    };
  }
}

/** Whether the event's actor is whoever holds the session: none named, or the user in it. */
function actsInSession(event: ActorFields): boolean {
  if (!event.actor) return true;
  return event.actor === event.userId && event.type !== 'session.revoked';
}
