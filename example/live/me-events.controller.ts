import { Controller, type MessageEvent, Req, Sse } from '@nestjs/common';
import { concatMap, from, timer, type Observable } from 'rxjs';
import {
  type ActiveSession,
  CurrentSession,
  endWithSession,
  LiveConnections,
  NotificationService,
} from '../../src/index.js';

const POLL_MS = 250;

/**
 * `GET /me/events`: the user's notifications that arrive while it is open, as server-sent events
 * (`event: notification`),
 * ending with `event: session-ended` (data: the denial code) when the session ends anywhere.
 */
@Controller('me/events')
export class MeEventsController {
  constructor(
    private readonly notifications: NotificationService,
    private readonly live: LiveConnections,
  ) {}

  @Sse()
  events(@CurrentSession() session: ActiveSession, @Req() request: object): Observable<unknown> {
    let seen: Set<string> | null = null;
    const fresh = async (): Promise<MessageEvent[]> => {
      const items = await this.notifications.listForUser(session.userId, { limit: 50 });
      const primed = seen;
      seen = new Set(items.map((n) => n.id));
      if (!primed) return [];
      return items
        .filter((n) => !primed.has(n.id))
        .reverse()
        .map((n) => ({
          type: 'notification',
          id: n.id,
          data: { id: n.id, type: n.type, createdAt: new Date(n.createdAt).toISOString() },
        }));
    };
    return timer(0, POLL_MS).pipe(
      concatMap(() => from(fresh().catch(() => []))),
      concatMap((events) => from(events)),
      endWithSession(this.live, request),
    );
  }
}
